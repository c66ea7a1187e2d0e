import { runTest } from './suite.ts';

runTest({ transport: 'longpoll' });
