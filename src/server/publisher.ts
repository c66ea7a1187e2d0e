import type { MessageBus } from '../bus/types.ts';
import type { ServerOptions } from '../config.ts';
import { LabError, MAX_ID_LENGTH, parseTopic, type PublishResult } from '../protocol/index.ts';
import { AddressBuckets } from './rate-limit.ts';
import type { Session } from './sessions.ts';

/**
 * Publishing as a session, for every transport alike: checks the fields, the
 * session's rate, and that a direct message names someone who ever had a
 * session. `from` is always the session's name; a `from` in the input is ignored.
 */
export class Publisher {
  /** All sessions of one address share these, so a fresh session does not reset the limit (issue 8, finding 7). */
  readonly byAddress: AddressBuckets;
  /** The map is swept of refilled buckets whenever it doubles: amortised O(1) per publish. */
  #sweepAt = 1024;

  constructor(
    private readonly bus: MessageBus,
    private readonly options: ServerOptions,
  ) {
    this.byAddress = new AddressBuckets(options.publishRatePerSecondPerAddress, options.publishBurstPerAddress);
  }

  async publish(session: Session, input: unknown): Promise<PublishResult> {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new LabError('bad_request', 'a publish is a JSON object with topic and body');
    }
    const { topic, body, id } = input as Record<string, unknown>;
    const { kind, name } = parseTopic(topic);
    if (typeof body !== 'string') throw new LabError('bad_request', 'body must be a string');
    if (Buffer.byteLength(body) > this.options.maxBodyBytes) {
      throw new LabError('payload_too_large', `body is over ${this.options.maxBodyBytes} bytes`);
    }
    if (id !== undefined && !isValidId(id)) {
      throw new LabError('bad_request', `id must be 1-${MAX_ID_LENGTH} printable characters`);
    }
    // Both allowances are checked before either is spent: a refusal costs nothing.
    if (this.byAddress.size >= this.#sweepAt) this.#sweepAt = Math.max(1024, this.byAddress.sweep() * 2);
    const addressBucket = this.byAddress.of(session.address);
    const sessionWait = session.publishes.wait();
    if (sessionWait > 0) throw new LabError('rate_limited', 'publishing faster than this session may', sessionWait);
    const addressWait = addressBucket.wait();
    if (addressWait > 0) throw new LabError('rate_limited', 'publishing faster than this address may', addressWait);
    session.publishes.take();
    addressBucket.take();
    if (kind === 'user' && !(await this.bus.knowsUser(name))) {
      throw new LabError('unknown_user', `nobody named ${name} ever had a session`);
    }
    const { message } = await this.bus.publish({ topic: topic as string, from: session.name, body, id });
    return { topic: message.topic, seq: message.seq, id: message.id, ts: message.ts };
  }
}

function isValidId(id: unknown): id is string {
  // eslint-disable-next-line no-control-regex
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_LENGTH && !/[\u0000-\u001f\u007f]/.test(id);
}
