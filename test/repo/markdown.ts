/**
 * The little of Markdown the repository tests need: the headings' anchors as
 * GitHub makes them, and the links of a page — both outside fenced code.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface Link {
  readonly line: number;
  readonly target: string;
}

/** The lines of a page with fenced code blocks blanked, so their `#` and `](` count for nothing. */
export function proseLines(text: string): string[] {
  let fenced = false;
  return text.split('\n').map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return '';
    }
    return fenced ? '' : line;
  });
}

/** The text of each heading, links reduced to their text. */
export function headingsOf(text: string): string[] {
  return proseLines(text).flatMap((line) => {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    return heading ? [heading[1].replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')] : [];
  });
}

/**
 * GitHub's anchor for a heading (github-slugger): lower case, inline markup
 * and punctuation dropped, each space a hyphen; a repeated anchor gets -1, -2….
 */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const heading of headingsOf(text)) {
    const slug = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Every inline link and image target `](…)` of the page's prose, with its line number. */
export function linksOf(text: string): Link[] {
  const links: Link[] = [];
  proseLines(text).forEach((line, index) => {
    // Inline code spans are text, not links.
    const prose = line.replace(/`[^`]*`/g, '');
    for (const match of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      links.push({ line: index + 1, target: match[1] });
    }
  });
  return links;
}

export function readPage(repo: string, page: string): string {
  return readFileSync(path.join(repo, page), 'utf8');
}

/** The repository's tracked Markdown pages, as paths from its root. */
export function trackedPages(repo: string): string[] {
  return execFileSync('git', ['ls-files', '*.md'], { cwd: repo, encoding: 'utf8' }).split('\n').filter(Boolean);
}
