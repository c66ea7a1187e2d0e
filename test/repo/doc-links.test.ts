/**
 * Every relative link and anchor in the project's Markdown resolves: a file
 * that exists in the repository, and a heading that exists on the page it
 * names. Links to the web are not followed (the tests stay off the network).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../browser/harness.ts';
import { anchorsOf, linksOf, readPage } from './markdown.ts';

const PAGES = execFileSync('git', ['ls-files', '*.md'], { cwd: REPO, encoding: 'utf8' }).split('\n').filter(Boolean);

function brokenLinks(page: string): string[] {
  const broken: string[] = [];
  for (const { line, target } of linksOf(readPage(REPO, page))) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    const [file, anchor] = target.split('#', 2);
    const linked = file === '' ? page : path.normalize(path.join(path.dirname(page), decodeURIComponent(file)));
    const where = `${page}:${line} → ${target}`;
    if (linked.startsWith('..')) broken.push(`${where}: leaves the repository`);
    else if (!existsSync(path.join(REPO, linked))) broken.push(`${where}: no such file`);
    else if (anchor !== undefined && linked.endsWith('.md') && !anchorsOf(readPage(REPO, linked)).has(anchor)) {
      broken.push(`${where}: no such heading`);
    }
  }
  return broken;
}

describe('links in the Markdown pages', () => {
  it('makes anchors as GitHub does, outside code', () => {
    const page = '# API reference\n## Short poll: `GET /api/poll`\n## The live lab\'s authority\n### HTTP/2: the TLS and h2c ports\n' +
      '## Client addresses behind a proxy (`trustProxy`)\n## Limits\n## Limits\n```\n# not a heading\n```\n';
    expect([...anchorsOf(page)]).toEqual([
      'api-reference', 'short-poll-get-apipoll', 'the-live-labs-authority', 'http2-the-tls-and-h2c-ports',
      'client-addresses-behind-a-proxy-trustproxy', 'limits', 'limits-1',
    ]);
    expect(linksOf('[a](#x) `[b](#code)` [c](docs/api.md#y "title")\n```\n[d](#fenced)\n```').map((link) => link.target)).toEqual(['#x', 'docs/api.md#y']);
  });

  it('finds the pages', () => {
    expect(PAGES).toEqual(expect.arrayContaining(['README.md', 'docs/api.md', 'docs/architecture.md', 'docs/workshop.md']));
  });

  it.each(PAGES)('%s: every relative link and anchor resolves', (page) => {
    expect(brokenLinks(page)).toEqual([]);
  });
});
