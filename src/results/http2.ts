/** The HTTP/2 figures of a transport result (`--http 2`): bytes by what they carry, counted on the client sockets. */
/** One direction of the h2 sessions, by what the bytes carry (src/net/h2-frames.ts), over the measured phase. */
export interface Http2Direction {
  /** The connection preface (24 bytes, client → server, once per session). */
  preface: number;
  /** 9 bytes per frame, whatever its type. */
  frameHeaders: number;
  /** HEADERS/CONTINUATION payloads: header bytes after HPACK. */
  headerBlocks: number;
  /** DATA payloads. */
  data: number;
  padding: number;
  /** SETTINGS, WINDOW_UPDATE, PING, GOAWAY, RST_STREAM, PRIORITY payloads. */
  control: number;
  /** Over TLS: the TCP socket's bytes less the h2 bytes they carried (record headers, MACs/tags, handshake). 0 on h2c. */
  tls: number;
  /** Frames by type name (DATA, HEADERS, SETTINGS, WINDOW_UPDATE, PING, …). */
  frames: Record<string, number>;
}

/** HPACK header block bytes per request: request (up), response (down), both. */
export interface Http2HeaderBytes {
  /** Requests (streams) this mean is over. */
  requests: number;
  up: number;
  down: number;
  total: number;
}

/**
 * HTTP/2 figures of a `--http 2` row, counted by the clients on their h2
 * sockets. `headerBytesPerRequest` covers each session's whole life (its first
 * request comes before the measured phase); the rest is the measured phase's.
 */
export interface Http2Figures {
  /** `h2c`: cleartext h2 with prior knowledge; `tls`: h2 over TLS (ALPN). */
  connection: 'h2c' | 'tls';
  sessions: number;
  /** The receive path's requests (polls, long polls, the event stream's open). */
  headerBytesPerRequest: {
    /** Each session's first request: HPACK's dynamic tables still empty. */
    first: Http2HeaderBytes;
    /** Every later one (the mean): the steady state. */
    steady: Http2HeaderBytes;
  };
  /** Publishes (`POST /api/messages`), apart: their headers differ from a GET's. */
  publishHeaderBytesPerRequest: { first: Http2HeaderBytes; steady: Http2HeaderBytes };
  frames: { up: Http2Direction; down: Http2Direction };
  /** Frame headers + control payloads + padding + preface, both directions, over the measured phase. */
  frameOverheadBytes: number;
  frameOverheadPerRequest: number;
  /** Over TLS only: record overhead (headers, tags; a handshake, if one fell in the phase), both directions. */
  tlsRecordBytes?: number;
  tlsRecordBytesPerRequest?: number;
}
