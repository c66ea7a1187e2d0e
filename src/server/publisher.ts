import type { MessageBus } from '../bus/types.ts';
import type { ServerOptions } from '../config.ts';
import { LabError, MAX_ID_LENGTH, parseTopic, type Message, type PublishResult } from '../protocol/index.ts';
import { MemorySharedState } from '../shared/memory-shared-state.ts';
import type { BucketCheck, BucketRefusal, SharedState } from '../shared/types.ts';
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
    return this.publishNow(session, input);
  }

  /**
   * `publish` without a promise where nothing waits (the in-memory bus and
   * buckets, a session already confirmed): the HTTP publish answers in the turn
   * its body arrived. A check that fails throws here; one that waits returns a promise.
   */
  publishNow(session: Session, input: unknown): PublishResult | Promise<PublishResult> {
    const request = checkedPublish(input, this.options.maxBodyBytes);
    // Several nodes: a token first seen on this node speaks only once the shared state confirms its holder.
    if (session.confirmation) return session.confirmation.then(() => this.#spend(session, request));
    return this.#spend(session, request);
  }

  #spend(session: Session, request: PublishRequest): PublishResult | Promise<PublishResult> {
    if (session.revoked) throw new LabError('unauthorized', 'this session expired and its name is now held by another session');
    const taken = this.shared.take(this.#checksOf(session));
    // In memory the answer is here already: no promise on the single-process path.
    if (taken instanceof Promise) return taken.then((refusal) => this.#store(session, request, refusal));
    return this.#store(session, request, taken);
  }

  #store(session: Session, request: PublishRequest, refusal: BucketRefusal | null | undefined): PublishResult | Promise<PublishResult> {
    if (refusal) {
      const who = refusal.index === 0 ? 'session' : 'address';
      throw new LabError('rate_limited', `publishing faster than this ${who} may`, refusal.waitSeconds);
    }
    if (request.kind === 'user') return this.#storeDirect(session, request);
    const input = { topic: request.topic, from: session.name, body: request.body, id: request.id };
    const publishSync = this.bus.publishSync;
    if (publishSync) return resultOf(publishSync(input).message);
    return this.bus.publish(input).then(({ message }) => resultOf(message));
  }

  /** A direct message: only to someone who ever had a session. */
  async #storeDirect(session: Session, request: PublishRequest): Promise<PublishResult> {
    if (!(await this.bus.knowsUser(request.name))) {
      throw new LabError('unknown_user', `nobody named ${request.name} ever had a session`);
    }
    const { message } = await this.bus.publish({ topic: request.topic, from: session.name, body: request.body, id: request.id });
    return resultOf(message);
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

/** A publish's fields, checked. */
interface PublishRequest {
  topic: string;
  kind: string;
  /** The topic's name part (a direct message's recipient). */
  name: string;
  body: string;
  id: string | undefined;
}

/** Checks topic, body size and id; throws bad_request / payload_too_large. */
function checkedPublish(input: unknown, maxBodyBytes: number): PublishRequest {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new LabError('bad_request', 'a publish is a JSON object with topic and body');
  }
  const { topic, body, id } = input as Record<string, unknown>;
  const { kind, name } = parseTopic(topic);
  if (typeof body !== 'string') throw new LabError('bad_request', 'body must be a string');
  // A UTF-16 code unit is at most 3 UTF-8 bytes: a short body needs no measuring.
  if (body.length * 3 > maxBodyBytes && Buffer.byteLength(body) > maxBodyBytes) {
    throw new LabError('payload_too_large', `body is over ${maxBodyBytes} bytes`);
  }
  if (id !== undefined && !isValidId(id)) {
    throw new LabError('bad_request', `id must be 1-${MAX_ID_LENGTH} printable characters`);
  }
  return { topic: topic as string, kind, name, body, id };
}

function resultOf(message: Message): PublishResult {
  return { topic: message.topic, seq: message.seq, id: message.id, ts: message.ts };
}

function isValidId(id: unknown): id is string {
  // eslint-disable-next-line no-control-regex
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_LENGTH && !/[\u0000-\u001f\u007f]/.test(id);
}
