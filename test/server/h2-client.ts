import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';

/** An HTTP/2 client session whose TCP socket the test can read (bytes on the wire, TLS records included). */
export interface H2Client {
  session: http2.ClientHttp2Session;
  /** The TCP socket under it (under TLS too). */
  wire: net.Socket;
}

/** Connects with prior knowledge (`http://`, h2c) or over TLS with ALPN h2 (`https://`, the self-signed certificate taken). */
export async function connectH2(url: string): Promise<H2Client> {
  const { hostname, port, protocol } = new URL(url);
  const wire = net.connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => wire.once('connect', resolve).once('error', reject));
  const session = http2.connect(url, {
    createConnection: () => protocol === 'https:'
      ? tls.connect({ socket: wire, ALPNProtocols: ['h2'], rejectUnauthorized: false })
      : wire,
  });
  await new Promise<void>((resolve, reject) => session.once('connect', () => resolve()).once('error', reject));
  return { session, wire };
}

/** One HTTP/2 stream, its answer read whole or watched as it arrives. */
export class H2Request {
  status = 0;
  text = '';
  readonly ended: Promise<void>;
  readonly stream: http2.ClientHttp2Stream;

  constructor(session: http2.ClientHttp2Session, path: string, headers: Record<string, string> = {}, body?: string) {
    this.stream = session.request({ ':method': body === undefined ? 'GET' : 'POST', ':path': path, ...headers });
    this.stream.setEncoding('utf8');
    this.stream.on('response', (head) => (this.status = Number(head[':status'])));
    this.stream.on('data', (chunk: string) => (this.text += chunk));
    this.ended = new Promise((resolve) => {
      this.stream.on('end', resolve);
      this.stream.on('close', resolve);
      this.stream.on('error', () => resolve());
    });
    if (body === undefined) this.stream.end();
    else this.stream.end(body);
  }

  async json(): Promise<Record<string, unknown>> {
    await this.ended;
    return JSON.parse(this.text) as Record<string, unknown>;
  }

  /** The event stream's events so far, as `{event, data}`. */
  events(): Array<{ event: string; data: string }> {
    return this.text.split('\n\n').filter((block) => block.startsWith('event: ')).map((block) => {
      const field = (name: string): string => block.split('\n').find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2) ?? '';
      return { event: field('event'), data: field('data') };
    });
  }
}
