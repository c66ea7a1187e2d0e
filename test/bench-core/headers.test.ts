import net from 'node:net';
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { HEADER_PROFILE_NAMES, extraHeaderBytes, extraHeadersFor, headerProfile } from '../../bench/headers/index.ts';
import {
  ARTICLE_REQUEST_HEADERS, ARTICLE_REQUEST_LINE, articleLines, wireBytesOfBlock,
} from '../../bench/headers/websocket-org-2009.ts';
import { LabError } from '../../src/protocol/index.ts';

/** Sends one GET with node:http and returns the raw request head the server received. */
async function rawRequestHead(path: string, headers: Record<string, string>): Promise<string> {
  let head = '';
  const server = net.createServer((socket) => {
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (head.includes('\r\n\r\n')) socket.end('HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const agent = new http.Agent({ keepAlive: true });
  try {
    await new Promise<void>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path, headers, agent }, (res) => res.resume().on('end', resolve)).on('error', reject);
    });
  } finally {
    agent.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return head;
}

describe('header profiles', () => {
  it('minimal adds nothing', () => {
    expect(extraHeadersFor('minimal')).toEqual({});
  });

  it('no profile repeats what the client sets itself', () => {
    for (const name of HEADER_PROFILE_NAMES) {
      const names = Object.keys(extraHeadersFor(name)).map((header) => header.toLowerCase());
      expect(names).not.toContain('host');
      expect(names).not.toContain('connection');
    }
  });

  it('browser is the recorded Chromium fetch, moved onto the server origin', () => {
    const headers = extraHeadersFor('browser', { origin: 'http://127.0.0.1:4321' });
    expect(headers['User-Agent']).toMatch(/Chrome\/\d+/);
    expect(headers['Sec-Fetch-Mode']).toBe('cors');
    expect(headers.Referer).toBe('http://127.0.0.1:4321/');
  });

  it('browser-cookies is browser plus a cookie jar of a realistic size', () => {
    const browser = extraHeadersFor('browser');
    const withCookies = extraHeadersFor('browser-cookies');
    expect(Object.keys(withCookies)).toEqual([...Object.keys(browser), 'Cookie']);
    expect(withCookies.Cookie.length).toBeGreaterThan(300);
    expect(extraHeaderBytes(withCookies)).toBe(extraHeaderBytes(browser) + `Cookie: ${withCookies.Cookie}\r\n`.length);
  });

  it("websocket.org-2009 sends the article's request, byte for byte in length and line for line", async () => {
    const extra = extraHeadersFor('websocket.org-2009');
    const head = await rawRequestHead('/PollingStock//PollingStock', { Host: 'localhost:8080', ...extra });
    const articleBlock = articleLines(ARTICLE_REQUEST_LINE, ARTICLE_REQUEST_HEADERS);
    for (const line of articleBlock) expect(head).toContain(`${line}\r\n`);
    // node:http puts its Connection line last; the article has it before Referer. Same bytes, other order.
    expect(Buffer.byteLength(head, 'latin1')).toBe(wireBytesOfBlock(articleBlock));
    expect(wireBytesOfBlock(articleBlock)).toBe(716);
  });

  it('an unknown profile is a bad_request that lists the valid ones', () => {
    expect(() => headerProfile('netscape')).toThrow(LabError);
    expect(() => extraHeadersFor('netscape')).toThrow(/minimal, browser, browser-cookies, websocket.org-2009/);
  });
});
