/**
 * Header profiles for the HTTP transports (issue 3): the request headers a
 * simulated client adds to every poll, long poll, event-stream and publish
 * request, so that the bench can show what real browsers pay per request.
 *
 * `extraHeadersFor()` gives the headers to *add*: Host and Connection are
 * left out because the HTTP client sets them itself (node:http sends
 * `Host` and `Connection: keep-alive` with a keep-alive agent). Use node:http
 * (not fetch, whose undici adds headers of its own) for byte-exact profiles.
 */
import { LabError } from '../../src/protocol/index.ts';
import recorded from './browser-fetch.json' with { type: 'json' };
import { ARTICLE_REQUEST_HEADERS } from './websocket-org-2009.ts';

export const HEADER_PROFILE_NAMES = ['minimal', 'browser', 'browser-cookies', 'websocket.org-2009'] as const;
export type HeaderProfileName = (typeof HEADER_PROFILE_NAMES)[number];

export interface HeaderProfile {
  name: HeaderProfileName;
  description: string;
  /** Header pairs in the order they are sent, Host/Connection excluded. */
  headers: readonly (readonly [string, string])[];
  source: string;
}

/** Headers the client library sets itself; a profile never repeats them. */
const CLIENT_SET = new Set(['host', 'connection', 'content-length', 'transfer-encoding']);

/**
 * A cookie jar such as a content site with analytics and consent banners
 * leaves: Google Analytics 4 (`_ga`, `_ga_<id>`), Google Ads (`_gcl_au`),
 * Facebook's pixel (`_fbp`), a consent record, and an app's own session and
 * preference cookies. Values are made up, sizes are typical (≈ 600 bytes).
 */
export const REALISTIC_COOKIE_JAR = [
  '_ga=GA1.1.1843956520.1763712000',
  '_ga_7XK2M4PQ9Z=GS1.1.1763798400.12.1.1763799125.0.0.0',
  '_gcl_au=1.1.1927461038.1763712001',
  '_fbp=fb.1.1763712001342.417839265',
  'OptanonConsent=isGpcEnabled=0&datestamp=Sat+Nov+22+2026+02%3A12%3A05+GMT%2B0000&version=202410.1.0' +
    '&isIABGlobal=false&hosts=&landingPath=NotLandingPage&groups=C0001%3A1%2CC0002%3A1%2CC0003%3A1%2CC0004%3A0',
  'OptanonAlertBoxClosed=2026-11-21T08:00:03.412Z',
  'theme=dark',
  'lang=en-GB',
  'tz=Europe%2FLondon',
  'sid=s%3AqJ3mZ8v2Xw0bT9nR4kLp7yHc1dFg6sAe.Vb5nQ2x8Zr7mK4tW1pL9yC3hJ6fD0gSaE2uI5oR8kN',
].join('; ');

function fromRecording(): (readonly [string, string])[] {
  return (recorded.rawHeaders as [string, string][]).filter(([name]) => !CLIENT_SET.has(name.toLowerCase()));
}

function buildProfiles(): Record<HeaderProfileName, HeaderProfile> {
  const browser = fromRecording();
  return {
    minimal: {
      name: 'minimal',
      description: 'only what HTTP/1.1 needs: Host and Connection, set by the client itself',
      headers: [],
      source: 'node:http with a keep-alive agent',
    },
    browser: {
      name: 'browser',
      description: `the request headers of a same-origin fetch() GET in ${recorded.browser}`,
      headers: browser,
      source: 'bench/headers/browser-fetch.json (recorded by bench/headers/record-browser.ts)',
    },
    'browser-cookies': {
      name: 'browser-cookies',
      description: 'the browser profile plus a realistic cookie jar of analytics, consent and session cookies',
      headers: [...browser, ['Cookie', REALISTIC_COOKIE_JAR]],
      source: 'browser profile + REALISTIC_COOKIE_JAR',
    },
    'websocket.org-2009': {
      name: 'websocket.org-2009',
      description: 'Firefox 3.5 polling a stock ticker: the request of the Quantum Leap article, byte for byte',
      headers: ARTICLE_REQUEST_HEADERS.filter(([name]) => !CLIENT_SET.has(name.toLowerCase())),
      source: 'bench/headers/websocket-org-2009.ts',
    },
  };
}

export const HEADER_PROFILES: Readonly<Record<HeaderProfileName, HeaderProfile>> = Object.freeze(buildProfiles());

export function isHeaderProfileName(value: unknown): value is HeaderProfileName {
  return typeof value === 'string' && (HEADER_PROFILE_NAMES as readonly string[]).includes(value);
}

/** The profile of that name; bad_request listing the valid names otherwise. */
export function headerProfile(name: string): HeaderProfile {
  if (!isHeaderProfileName(name)) {
    throw new LabError('bad_request', `unknown header profile "${name}": use one of ${HEADER_PROFILE_NAMES.join(', ')}`);
  }
  return HEADER_PROFILES[name];
}

export interface ExtraHeaderOptions {
  /** The server's origin (`http://127.0.0.1:1234`): a recorded Referer is moved onto it. */
  origin?: string;
}

/**
 * The headers to add to each request for a profile, in order, names cased as
 * recorded (node:http keeps the case of names it is given).
 */
export function extraHeadersFor(name: string, options: ExtraHeaderOptions = {}): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [header, value] of headerProfile(name).headers) {
    headers[header] = header.toLowerCase() === 'referer' && options.origin && name !== 'websocket.org-2009'
      ? `${options.origin.replace(/\/$/, '')}${new URL(value).pathname}`
      : value;
  }
  return headers;
}

/** Bytes these extra headers add to one request: `Name: value\r\n` each. */
export function extraHeaderBytes(headers: Record<string, string>): number {
  const encoder = new TextEncoder();
  return Object.entries(headers).reduce((sum, [name, value]) => sum + encoder.encode(`${name}: ${value}\r\n`).length, 0);
}
