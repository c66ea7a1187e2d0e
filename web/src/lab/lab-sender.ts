/**
 * How the lab page publishes what you type: straight to the server on the
 * page's own origin (no delay proxy), so a pane's latency is its receive path.
 *
 * It is not a pane and must not look like one in the counters: it publishes
 * without `?via=`, so the server counts its requests and publishes under
 * `other`, never as short polling's (issue 13, "Counters"). It sends and
 * stores no cookie (`credentials: 'omit'`): its session lives in this object,
 * and the chat's `lab_session` cookie in another tab stays the chat's.
 */
import { LabError } from '../../../src/protocol/index.ts';
import type { PublishResult } from '../../../src/protocol/index.ts';
import { buildUrl, createSession, requestJson } from '../../../src/client/http.ts';
import type { HttpSettings } from '../../../src/client/http.ts';

const noCookies: typeof fetch = (input, init) => fetch(input, { ...init, credentials: 'omit' });

export class LabSender {
  private token: Promise<string> | null = null;
  private readonly http: HttpSettings = { baseUrl: '', headers: {}, fetch: noCookies };

  constructor(private readonly name: string) {}

  /** Publishes once per `id` (a retry after a new session keeps the id: the bus stores it once). */
  async publish(topic: string, body: string, id: string): Promise<PublishResult> {
    try {
      return await this.send(topic, body, id);
    } catch (error) {
      // A restarted server forgot the session: one new session, one more try.
      if (!(error instanceof LabError && error.code === 'unauthorized')) throw error;
      this.token = null;
      return this.send(topic, body, id);
    }
  }

  private async send(topic: string, body: string, id: string): Promise<PublishResult> {
    this.token ??= createSession(this.http, this.name).then((session) => session.token);
    const pending = this.token;
    // A failed session is not kept: the next send asks again.
    pending.catch(() => {
      if (this.token === pending) this.token = null;
    });
    const token = await pending;
    return requestJson<PublishResult>({
      method: 'POST', url: buildUrl('', '/api/messages'), token, fetch: noCookies, body: { topic, body, id },
    });
  }
}
