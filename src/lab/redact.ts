/**
 * Masks the secrets in an HTTP head the wire inspector shows (issue 8,
 * finding 1): session tokens (`Authorization`, `?token=`), cookie values,
 * `Set-Cookie` values and lab keys. Each secret byte becomes `*`, so the head
 * keeps its exact length and every byte count the class reads stays true.
 */

const MASK = '*';
/** Query parameters whose values are credentials. */
const SECRET_PARAMS = new Set(['token', 'key']);

/** Returns a copy of `bytes` with the secrets of its head masked (the body, after the blank line, is kept). */
export function redactHead(bytes: Buffer): Buffer {
  const text = bytes.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text : text.slice(0, end);
  const lines = head.split('\r\n');
  const masked = lines.map((line, i) => (i === 0 ? maskStartLine(line) : maskHeaderLine(line)));
  return Buffer.from(masked.join('\r\n') + (end < 0 ? '' : text.slice(end)), 'latin1');
}

/** Reads the session token a request head presents, as the server does: Bearer, then `?token=`, then the cookie. */
export function presentedToken(head: string, cookieName: string): string | undefined {
  const lines = head.split('\r\n');
  const target = lines[0]?.split(' ')[1] ?? '';
  let bearer: string | undefined;
  let cookie: string | undefined;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'authorization') bearer ??= /^Bearer\s+(\S+)$/i.exec(value)?.[1];
    if (name === 'cookie') cookie ??= cookieValue(value, cookieName);
  }
  if (bearer) return bearer;
  const q = target.indexOf('?');
  const param = q < 0 ? null : new URLSearchParams(target.slice(q + 1)).get('token');
  return param || cookie || undefined;
}

function cookieValue(header: string, name: string): string | undefined {
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return part.slice(eq + 1).trim();
      }
    }
  }
  return undefined;
}

function mask(text: string): string {
  return MASK.repeat(text.length);
}

/** `GET /api/poll?token=abc&topics=… HTTP/1.1`: the values of credential parameters. */
function maskStartLine(line: string): string {
  return line.replace(/([?&])([^=&\s#]+)=([^&\s#]*)/g, (whole, sep: string, name: string, value: string) =>
    SECRET_PARAMS.has(name.toLowerCase()) ? `${sep}${name}=${mask(value)}` : whole);
}

function maskHeaderLine(line: string): string {
  const colon = line.indexOf(':');
  if (colon < 0) return line;
  const name = line.slice(0, colon).trim().toLowerCase();
  const value = line.slice(colon + 1);
  switch (name) {
    case 'authorization':
    case 'proxy-authorization': {
      // Keep the scheme ("Bearer"): the class may see which kind of credential travels.
      const match = /^(\s*\S+\s+)(.*)$/.exec(value);
      return line.slice(0, colon + 1) + (match ? match[1] + mask(match[2]) : mask(value));
    }
    case 'cookie':
      return line.slice(0, colon + 1) + value.replace(/(^|;)(\s*[^=;]+=)([^;]*)/g,
        (_whole, sep: string, key: string, secret: string) => sep + key + mask(secret));
    case 'set-cookie':
      return line.slice(0, colon + 1) + value.replace(/^(\s*[^=;]+=)([^;]*)/, (_whole, key: string, secret: string) => key + mask(secret));
    case 'x-lab-key':
      return line.slice(0, colon + 1) + value.replace(/\S+/g, mask);
    default:
      return line;
  }
}
