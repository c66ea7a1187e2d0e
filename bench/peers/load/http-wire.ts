/**
 * Just enough HTTP/1.1 for the lean load clients: request text, and whole
 * responses taken off the front of a keep-alive socket's bytes
 * (content-length or chunked bodies).
 */

const HEADER_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

export interface HttpAnswer {
  status: number;
  head: string;
  body: Buffer;
}

export function requestText(method: 'GET' | 'POST', path: string, host: string, port: number, headers: Record<string, string>, body = ''): string {
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${host}:${port}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (method === 'POST') lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** The response head's end, or -1. */
export function headEnd(data: Buffer): number {
  return data.indexOf(HEADER_END);
}

/** The first whole response in `data` and how many bytes it used, or null when it is not all there yet. */
export function takeResponse(data: Buffer): { answer: HttpAnswer; used: number } | null {
  const end = data.indexOf(HEADER_END);
  if (end === -1) return null;
  const head = data.toString('latin1', 0, end);
  const status = Number(head.slice(9, 12));
  const bodyStart = end + 4;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length) {
    const bodyEnd = bodyStart + Number(length[1]);
    if (data.length < bodyEnd) return null;
    return { answer: { status, head, body: data.subarray(bodyStart, bodyEnd) }, used: bodyEnd };
  }
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    const parts: Buffer[] = [];
    let at = bodyStart;
    for (;;) {
      const lineEnd = data.indexOf(CRLF, at);
      if (lineEnd === -1) return null;
      const size = parseInt(data.toString('latin1', at, lineEnd), 16);
      if (Number.isNaN(size)) throw new Error(`bad chunk size at byte ${at}`);
      const chunkStart = lineEnd + 2;
      if (size === 0) {
        const trailerEnd = data.indexOf(CRLF, chunkStart);
        if (trailerEnd === -1) return null;
        return { answer: { status, head, body: Buffer.concat(parts) }, used: trailerEnd + 2 };
      }
      if (data.length < chunkStart + size + 2) return null;
      parts.push(data.subarray(chunkStart, chunkStart + size));
      at = chunkStart + size + 2;
    }
  }
  // No length and not chunked: only a 1xx/204/304 has no body.
  if (status === 204 || status === 304 || status < 200) return { answer: { status, head, body: Buffer.alloc(0) }, used: bodyStart };
  return null;
}
