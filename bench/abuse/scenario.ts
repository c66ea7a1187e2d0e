/** The `abuse` scenario's entry in the catalogue (bench/scenarios/index.ts): its own runner, bench/abuse/run-abuse.ts. */
import type { CustomScenario } from '../scenarios/types.ts';

export const abuse: CustomScenario = {
  kind: 'custom',
  name: 'abuse',
  description:
    'issue 8\'s attacks, one attendee each from one address, while a legitimate attendee chats: its p50/p99 against a clean run, ' +
    'the server\'s peak RSS, and whether the server held.',
  defaults: {},
};
