/**
 * The compressed size of each message a simulated WebSocket received with
 * permessage-deflate (`--compression`), so that its bodies are the payload bytes
 * on the wire, as the server counts them (src/transports/ws-deflate.ts).
 */
import type WebSocket from 'ws';

interface DeflateExtension {
  decompress(data: Buffer, fin: boolean, callback: (error: Error | null, result?: Buffer) => void): void;
}

/**
 * Call on 'open'. Returns what the message being delivered took on the wire if
 * it came compressed, or undefined (a plain message, or no deflate negotiated):
 * ask once per 'message' event.
 */
export function inflatedPayloads(socket: WebSocket): () => number | undefined {
  const extensions = (socket as unknown as { _extensions?: Record<string, DeflateExtension | undefined> })._extensions;
  const deflate = extensions?.['permessage-deflate'];
  if (!deflate) return () => undefined;
  const decompress = deflate.decompress.bind(deflate);
  let inflating = 0;
  let last: number | undefined;
  deflate.decompress = (data, fin, callback) => {
    inflating += data.length;
    decompress(data, fin, (error, result) => {
      if (fin) {
        last = inflating;
        inflating = 0;
      }
      callback(error, result);
    });
  };
  return () => {
    const bytes = last;
    last = undefined;
    return bytes;
  };
}
