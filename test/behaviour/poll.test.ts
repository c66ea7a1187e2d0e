import { runTest } from './suite.ts';

runTest({
  transport: 'poll',
  skip: {
    'too_many_connections: over the held-request limit, then recovers':
      'a short poll is answered at once and never held, so the held-request limit cannot apply to it',
  },
});
