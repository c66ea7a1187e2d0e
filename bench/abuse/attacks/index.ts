/** Every attack of the abuse suite, in the order of issue 8's findings (data: the bench loops over it). */
import type { Attack } from '../types.ts';
import { inboxInheritance } from './inbox-inheritance.ts';
import { labAuthority } from './lab-authority.ts';
import { loginCsrf } from './login-csrf.ts';
import { malformedInput } from './malformed-input.ts';
import { manyRooms } from './many-rooms.ts';
import { pollUnread } from './poll-unread.ts';
import { rateLimitReset } from './rate-limit-reset.ts';
import { resultsSymlink } from './results-symlink.ts';
import { shutdownDrain } from './shutdown-drain.ts';
import { slotHog } from './slot-hog.ts';
import { sseNeverRead } from './sse-never-read.ts';
import { wsCursorLength } from './ws-cursor-length.ts';
import { wsSubscribeFlood } from './ws-subscribe-flood.ts';

export const ATTACKS: readonly Attack[] = [
  labAuthority, wsSubscribeFlood, sseNeverRead, pollUnread, manyRooms, slotHog, rateLimitReset,
  inboxInheritance, malformedInput, loginCsrf, resultsSymlink, shutdownDrain, wsCursorLength,
];

export function attackNamed(name: string): Attack | undefined {
  return ATTACKS.find((attack) => attack.name === name);
}
