import { runTest } from './suite.ts';

runTest({ transport: 'sse' });
