import type { MessageBus } from '../bus/types.ts';
import type { ServerOptions } from '../config.ts';
import { LabError, MAX_ID_LENGTH, parseTopic, type PublishResult } from '../protocol/index.ts';
import type { Session } from './sessions.ts';

/**
 * Publishing as a session, for every transport alike: checks the fields, the
 * session's rate, and that a direct message names someone who ever had a
 * session. `from` is always the session's name; a `from` in the input is ignored.
 */
export class Publisher {
  constructor(
    private readonly bus: MessageBus,
    private readonly options: ServerOptions,
  ) {}

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
    const wait = session.publishes.take();
    if (wait > 0) throw new LabError('rate_limited', 'publishing faster than this session may', wait);
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
