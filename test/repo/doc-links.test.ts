/**
 * Every relative link and anchor in the project's Markdown resolves: a file
 * that exists in the repository, and a heading that exists on the page it
 * names. Links to the web are not followed (the tests stay off the network).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../browser/harness.ts';
import { anchorsOf, headingsOf, linksOf, proseLines, readPage, trackedPages } from './markdown.ts';

const PAGES = trackedPages(REPO);

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

/** The page a `§` reference names: `docs/api.md § Limits`, `README § …`; a bare `(§ …` is its own page. */
const REFERENCE = /(?:`?(docs\/[a-z]+\.md|README(?:\.md)?)`?\s+|\()§\s+([A-Za-z][^.;,()[\]:`]*)/g;

function normalise(text: string): string {
  return text.replace(/`/g, '').replace(/\s+/g, ' ').trim().toLowerCase();
}

/** Section references in prose (`docs/api.md § Client heartbeats`) whose page has no heading that starts so. */
function brokenSectionReferences(page: string): string[] {
  const prose = proseLines(readPage(REPO, page)).join('\n');
  const broken: string[] = [];
  for (const [reference, named, section] of prose.matchAll(REFERENCE)) {
    const target = named === undefined ? page : named.startsWith('README') ? 'README.md' : named;
    const headings = headingsOf(readPage(REPO, target)).map(normalise);
    if (!headings.some((heading) => heading.startsWith(normalise(section)))) broken.push(`${page}: ${normalise(reference)}`);
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

  it.each(PAGES)('%s: every "§ Section" reference names a heading of its page', (page) => {
    expect(brokenSectionReferences(page)).toEqual([]);
  });

  it('reads section references', () => {
    const refs = [...'see docs/api.md § Client\n  heartbeats; `docs/api.md` § Limits, (§ Shutdown) and RFC 6202 § 2.2'.matchAll(REFERENCE)]
      .map(([, page, section]) => [page, section]);
    expect(refs).toEqual([['docs/api.md', 'Client\n  heartbeats'], ['docs/api.md', 'Limits'], [undefined, 'Shutdown']]);
  });
});
