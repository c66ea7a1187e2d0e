import { runTest } from './suite.ts';

// Short polling with the cursor sent as If-None-Match and 304 taken as "nothing new".
runTest({
  transport: 'poll',
  clientOptions: { conditional: true },
  skip: {
    'too_many_connections: over the held-request limit, then recovers':
      'a short poll is answered at once and never held, so the held-request limit cannot apply to it',
  },
});
