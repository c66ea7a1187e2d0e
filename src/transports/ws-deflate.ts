import type { WebSocket } from 'ws';
import type { PerMessageDeflateOptions } from 'ws';
import type { ServerOptions } from '../config.ts';
import type { WireMeter } from './types.ts';

/**
 * permessage-deflate for the WebSocket hub (issue 11 #6), off unless
 * `wsPerMessageDeflate`. Context takeover stays on (each message is compressed
 * against the ones before it: chat messages share most of their JSON keys), so
 * each socket that has compressed once keeps its zlib contexts until it closes —
 * the per-socket memory docs/api.md warns about. A smaller server window (2^13)
 * and memLevel 7 keep that to about a third of zlib's defaults.
 */
export function perMessageDeflateOptions(options: ServerOptions): PerMessageDeflateOptions | false {
  if (!options.wsPerMessageDeflate) return false;
  return {
    // Applies only to a client that asks for server_no_context_takeover; with the window kept, ws compresses every message.
    threshold: options.compressionThresholdBytes,
    concurrencyLimit: options.wsDeflateConcurrencyLimit,
    serverMaxWindowBits: 13,
    zlibDeflateOptions: { level: options.compressionLevel, memLevel: 7 },
    zlibInflateOptions: { chunkSize: 16 * 1024 },
  };
}

/** The part of ws's PerMessageDeflate extension we count through (ws 8). */
interface DeflateExtension {
  /** The negotiated parameters (RFC 7692 § 7). */
  params: Record<string, unknown> | null;
  compress(data: Buffer, fin: boolean, callback: (error: Error | null, result?: Buffer) => void): void;
  decompress(data: Buffer, fin: boolean, callback: (error: Error | null, result?: Buffer) => void): void;
}

/**
 * The meter a WsPeer counts through on a socket that negotiated permessage-deflate,
 * so that bodies stay the payload bytes on the wire: the compressed payload of a
 * compressed message, the text of one sent plain (under the threshold, which ws
 * applies only when the client asked for no context takeover).
 * Undefined when the socket did not negotiate it (the peer counts as before).
 *
 * The peer counts every message's text length; this meter keeps those of plain
 * messages and drops those of compressed ones, which the extension's own
 * compress / decompress report instead.
 */
export function deflateMeter(ws: WebSocket, meter: WireMeter, thresholdBytes: number): WireMeter | undefined {
  const extensions = (ws as unknown as { _extensions?: Record<string, DeflateExtension | undefined> })._extensions;
  const deflate = extensions?.['permessage-deflate'];
  if (!deflate) return undefined;
  // ws applies its threshold only without context takeover (sender.js): with it, every message is compressed.
  const threshold = deflate.params?.server_no_context_takeover === true ? thresholdBytes : 0;
  const compress = deflate.compress.bind(deflate);
  const decompress = deflate.decompress.bind(deflate);
  /** Compressed bytes of the incoming message being inflated, and whether the next bodyIn is that message. */
  let inflating = 0;
  let nextInWasCompressed = false;
  deflate.compress = (data, fin, callback) => compress(data, fin, (error, result) => {
    if (result) meter.bodyOut(result.length);
    callback(error, result);
  });
  deflate.decompress = (data, fin, callback) => {
    inflating += data.length;
    decompress(data, fin, (error, result) => {
      if (fin) {
        meter.bodyIn(inflating);
        inflating = 0;
        nextInWasCompressed = true;
      }
      callback(error, result);
    });
  };
  return {
    ...bindAll(meter),
    bodyOut(bytes) {
      // A message ws compresses is counted by compress, with its compressed length.
      if (bytes < threshold) meter.bodyOut(bytes);
    },
    bodyIn(bytes) {
      if (nextInWasCompressed) nextInWasCompressed = false;
      else meter.bodyIn(bytes);
    },
  };
}

function bindAll(meter: WireMeter): WireMeter {
  return {
    bodyIn: (bytes) => meter.bodyIn(bytes),
    bodyOut: (bytes) => meter.bodyOut(bytes),
    framingOut: (bytes) => meter.framingOut(bytes),
    headersOut: (bytes) => meter.headersOut(bytes),
    chunkOut: (bytes) => meter.chunkOut(bytes),
    handshakeOut: (socket) => meter.handshakeOut(socket),
    delivered: (count) => meter.delivered(count),
    answeredEmpty: () => meter.answeredEmpty(),
    published: () => meter.published(),
  };
}
