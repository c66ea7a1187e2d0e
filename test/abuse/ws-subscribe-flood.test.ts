import { describe, it } from 'vitest';
import { wsSubscribeFlood } from '../../bench/abuse/attacks/ws-subscribe-flood.ts';
import { ATTACK_TIMEOUT_MS, expectAttackHeld } from './harness.ts';

describe('abuse: a subscribe flood on one WebSocket (issue 8, finding 2)', () => {
  it('refuses topics over the cap with an error frame while /healthz and the attendee carry on', async () => {
    await expectAttackHeld(wsSubscribeFlood);
  }, ATTACK_TIMEOUT_MS);
});
