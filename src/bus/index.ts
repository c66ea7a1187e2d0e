import { Bus } from './bus.ts';
import { MemoryAdapter, type MemoryAdapterOptions } from './memory-adapter.ts';
import type { MessageBus } from './types.ts';

export { Bus, connectBus } from './bus.ts';
export { MemoryAdapter, type MemoryAdapterOptions } from './memory-adapter.ts';
export { decodeCursor, encodeCursor, MAX_CURSOR_LENGTH } from './cursor.ts';
export type * from './types.ts';

/** The embedded default: a bus over the in-memory adapter. */
export function createMemoryBus(options: MemoryAdapterOptions = {}): MessageBus {
  return new Bus(new MemoryAdapter(options));
}
