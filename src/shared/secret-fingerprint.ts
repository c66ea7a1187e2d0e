import { createHmac } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Several nodes must sign tokens with one secret, or a token from one node is
 * refused by the next (issue 10). Each node stores a fingerprint of its secret
 * in Redis — an HMAC of a constant keyed by the secret, never the secret, and
 * useless for forging a token — and refuses to start when another is there.
 */
const FINGERPRINT_INPUT = 'transport-lab secret fingerprint v1';

export function secretFingerprint(secret: string): string {
  return createHmac('sha256', secret).update(FINGERPRINT_INPUT).digest('hex').slice(0, 16);
}

export class SecretMismatchError extends Error {}

/**
 * Stores `fingerprint` at `key` unless one is there; throws SecretMismatchError
 * naming the problem when the stored one differs. Called at start and again on
 * every heartbeat, so a Redis that lost its data gets it back.
 */
export async function claimSecretFingerprint(redis: Redis, key: string, fingerprint: string): Promise<void> {
  const stored = await redis.set(key, fingerprint, 'NX', 'GET');
  if (stored !== null && stored !== fingerprint) {
    throw new SecretMismatchError(
      `this node's TRANSPORT_LAB_SECRET is not the one the other nodes on this Redis use (secret fingerprint ${fingerprint}, ` +
      `Redis key ${key} holds ${stored}): a token signed by one would be refused by the other. Start every node with the same ` +
      `TRANSPORT_LAB_SECRET (or, once every node is stopped, DEL ${key}).`,
    );
  }
}
