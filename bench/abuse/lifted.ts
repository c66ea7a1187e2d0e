/**
 * Publish limits lifted for attacks that are not about rate limits (they need
 * thousands of messages quickly to fill a room). The per-address names are
 * the fix's (issue 8, finding 7); a server that does not know them ignores them.
 */
import type { TargetOptions } from './target.ts';

export const LIFTED_PUBLISH_LIMITS: TargetOptions = {
  publishRatePerSecond: 1_000_000,
  publishBurst: 1_000_000,
  publishRatePerSecondPerAddress: 1_000_000,
  publishBurstPerAddress: 1_000_000,
};
