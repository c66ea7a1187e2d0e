import type { MessageBus } from '../bus/types.ts';
import type { ServerOptions } from '../config.ts';
import { LabError, MAX_ID_LENGTH, parseTopic, type PublishResult } from '../protocol/index.ts';
import { MemorySharedState } from '../shared/memory-shared-state.ts';
import type { BucketCheck, SharedState } from '../shared/types.ts';
import type { Session } from './sessions.ts';

/**
 * Publishing as a session, for every transport alike: checks the fields, the
 * session's rate, and that a direct message names someone who ever had a
 * session. `from` is always the session's name; a `from` in the input is ignored.
 */
export class Publisher {
  /** Each session's bucket checks, made once per session and address rather than two key strings per publish. */
  readonly #checks = new WeakMap<Session, { address: string; checks: BucketCheck[] }>();

  constructor(
    private readonly bus: MessageBus,
    private readonly options: ServerOptions,
    /** Where the buckets live: this process (default), or Redis for several nodes. */
    private readonly shared: SharedState = new MemorySharedState(),
  ) {}

  async publish(session: Session, input: unknown): Promise<PublishResult> {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new LabError('bad_request', 'a publish is a JSON object with topic and body');
    }
    const { topic, body, id } = input as Record<string, unknown>;
    const { kind, name } = parseTopic(topic);
    if (typeof body !== 'string') throw new LabError('bad_request', 'body must be a string');
    // A UTF-16 code unit is at most 3 UTF-8 bytes: a short body needs no measuring.
    if (body.length * 3 > this.options.maxBodyBytes && Buffer.byteLength(body) > this.options.maxBodyBytes) {
      throw new LabError('payload_too_large', `body is over ${this.options.maxBodyBytes} bytes`);
    }
    if (id !== undefined && !isValidId(id)) {
      throw new LabError('bad_request', `id must be 1-${MAX_ID_LENGTH} printable characters`);
    }
    // Several nodes: a token first seen on this node speaks only once the shared state confirms its holder.
    if (session.confirmation) await session.confirmation;
    if (session.revoked) throw new LabError('unauthorized', 'this session expired and its name is now held by another session');
    const taken = this.shared.take(this.#checksOf(session));
    // In memory the answer is here already: no await on the single-process path.
    const refusal = taken instanceof Promise ? await taken : taken;
    if (refusal) {
      const who = refusal.index === 0 ? 'session' : 'address';
      throw new LabError('rate_limited', `publishing faster than this ${who} may`, refusal.waitSeconds);
    }
    if (kind === 'user' && !(await this.bus.knowsUser(name))) {
      throw new LabError('unknown_user', `nobody named ${name} ever had a session`);
    }
    const { message } = await this.bus.publish({ topic: topic as string, from: session.name, body, id });
    return { topic: message.topic, seq: message.seq, id: message.id, ts: message.ts };
  }

  /**
   * Both allowances, checked before either is spent: a refusal costs nothing. All
   * sessions of one address share the second, so a fresh session does not reset it (issue 8, finding 7).
   */
  #checksOf(session: Session): BucketCheck[] {
    const known = this.#checks.get(session);
    if (known !== undefined && known.address === session.address) return known.checks;
    const checks: BucketCheck[] = [
      { key: `publish-session:${session.id}`, ratePerSecond: this.options.publishRatePerSecond, burst: this.options.publishBurst },
      { key: `publish-address:${session.address}`, ratePerSecond: this.options.publishRatePerSecondPerAddress, burst: this.options.publishBurstPerAddress },
    ];
    this.#checks.set(session, { address: session.address, checks });
    return checks;
  }
}

function isValidId(id: unknown): id is string {
  // eslint-disable-next-line no-control-regex
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_LENGTH && !/[\u0000-\u001f\u007f]/.test(id);
}
