/** Byte views for the wire inspector: visible text for HTTP, hex for frames. */

export function fromBase64(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Bytes as text with the invisible made visible: CR as `\r`, LF as `\n` (and
 * a line break), other control bytes as ·. (Plain ASCII escapes: the ␍ ␊
 * glyphs are missing from common monospace fonts.) Non-ASCII bytes are
 * decoded as UTF-8 where they form valid sequences.
 */
export function visibleText(bytes: Uint8Array): string {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  return text
    .replace(/\r/g, '\\r')
    .replace(/\n/g, '\\n\n')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '·');
}

export type ByteRole = 'header' | 'mask' | 'payload';

export interface HexByte {
  hex: string;
  role: ByteRole;
}

/** Each byte of a frame in hex with its role: header bytes, then the mask key, then payload. */
export function frameBytes(bytes: Uint8Array, headerLength: number, maskLength: number): HexByte[] {
  return Array.from(bytes, (value, index) => ({
    hex: value.toString(16).padStart(2, '0'),
    role: index < headerLength - maskLength ? 'header' : index < headerLength ? 'mask' : 'payload',
  }));
}
