/**
 * Each browser tab keeps its own identity.
 *
 * The server also sets a `lab_session` cookie on `POST /api/session`, but a
 * cookie is one per host: every tab and every port of 127.0.0.1 (the lab's
 * pane proxies) shares it. A page that trusted it was locked out of its own
 * name after a reload once another tab had signed in as someone else (the
 * cookie then named the other session), and the panes' requests carried the
 * main page's cookie, inflating the bytes the wire inspector shows.
 *
 * So the web app never stores that cookie (`credentials: 'omit'` on
 * `POST /api/session` makes the browser ignore Set-Cookie), and keeps each
 * name's token in this tab's sessionStorage instead, which survives a reload
 * of the tab and nothing else. When the tab signs in again it presents that
 * token as `Authorization: Bearer`, and the server gives the holder its own
 * session back (docs/api.md § Sessions: a holder is never locked out).
 * Every other request already carries its token as a bearer or `?token=`.
 */

const STORAGE_KEY = 'transport-lab.session-tokens';
const SESSION_PATH = '/api/session';

type Tokens = Record<string, string>;

function readTokens(storage: Storage): Tokens {
  try {
    const parsed = JSON.parse(storage.getItem(STORAGE_KEY) ?? '{}') as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Tokens) : {};
  } catch {
    return {};
  }
}

function remember(storage: Storage, name: string, token: string): void {
  try {
    storage.setItem(STORAGE_KEY, JSON.stringify({ ...readTokens(storage), [name]: token }));
  } catch {
    // Storage full or disabled: the tab still works, it just cannot reclaim its name after a reload.
  }
}

/** The `name` of a JSON body `{"name": …}`, if that is what the body is. */
function nameInBody(body: unknown): string | undefined {
  if (typeof body !== 'string') return undefined;
  try {
    const name = (JSON.parse(body) as { name?: unknown }).name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

function targetOf(input: RequestInfo | URL, base: string): URL | undefined {
  try {
    return new URL(input instanceof Request ? input.url : String(input), base);
  } catch {
    return undefined;
  }
}

/**
 * A fetch that signs in per tab: `POST /api/session` on the page's own origin
 * presents the tab's token for that name and stores the answer's token; it
 * never sends or stores cookies. Every other request passes through untouched.
 */
export function tabSessionFetch(
  inner: typeof fetch,
  storage: Storage,
  origin: string,
): typeof fetch {
  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = targetOf(input, origin);
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    if (!url || url.origin !== origin || url.pathname !== SESSION_PATH || method !== 'POST') return inner(input, init);
    const headers = new Headers(init?.headers);
    const name = nameInBody(init?.body);
    const token = name === undefined ? undefined : readTokens(storage)[name];
    if (token && !headers.has('authorization')) headers.set('authorization', `Bearer ${token}`);
    const response = await inner(input, { ...init, headers, credentials: 'omit' });
    if (response.ok) {
      try {
        const body = (await response.clone().json()) as { name?: unknown; token?: unknown };
        if (typeof body.name === 'string' && typeof body.token === 'string') remember(storage, body.name, body.token);
      } catch {
        // Not our JSON: nothing to remember.
      }
    }
    return response;
  };
}

let installed = false;

/** Makes every client on this page (chat, lab, panes) sign in per tab. Idempotent. */
export function installTabSessions(win: Window = window): void {
  if (installed) return;
  installed = true;
  let storage: Storage;
  try {
    storage = win.sessionStorage;
  } catch {
    // Storage denied to this document (Chromium denies it to a page whose certificate
    // was let through with an error, such as a lab pane on the self-signed TLS port):
    // the page works, it just signs in without a tab identity to reclaim.
    return;
  }
  win.fetch = tabSessionFetch(win.fetch.bind(win), storage, win.location.origin);
}
