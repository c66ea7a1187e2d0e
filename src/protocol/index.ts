export * from './envelope.ts';
export * from './errors.ts';
export * from './frames.ts';
export * from './names.ts';
export * from './stats.ts';
export * from './transports.ts';
