/**
 * Every file the Markdown pages name in inline code exists: a path from the
 * repository's root (`src/bus/stored-heads.ts`) as written, a shorter one
 * (`accounting/socket-meter.ts`, `hot-router.ts`) as the end of a tracked
 * file's path. The few that name files to come are listed with their reason.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../browser/harness.ts';
import { proseLines, readPage, trackedPages } from './markdown.ts';

const ROOTS = /^(?:src|bench|test|web|deploy|docs|results|\.ci)\//;
const FILE = /^[\w.@/-]+\.(?:ts|vue|js|json|md|template|png|html)$/;

/** Files named but not there, on purpose. */
const NOT_FILES: Record<string, string> = {
  'results/latest.json': 'written by each bench run, ignored by git',
  'src/transports/chunked.ts': 'architecture.md: the example transport one would add',
  'src/client/chunked.ts': 'the same example',
  'bench/sim/chunked.ts': 'the same example',
  'test/behaviour/chunked.test.ts': 'the same example',
  'src/bus/postgres-adapter.ts': 'architecture.md: the example bus adapter one would add',
  'test/bus/postgres-adapter.test.ts': 'the same example',
};

const TRACKED = execFileSync('git', ['ls-files'], { cwd: REPO, encoding: 'utf8' }).split('\n').filter(Boolean);

function namedFiles(page: string): string[] {
  const prose = proseLines(readPage(REPO, page)).join('\n');
  return [...prose.matchAll(/`([^`]+)`/g)]
    .flatMap((match) => match[1].split(/\s+/))
    .map((token) => token.replace(/[,;:)]+$/, ''))
    .filter((token) => !token.includes('*') && (FILE.test(token) || (ROOTS.test(token) && /^[\w./-]+$/.test(token))));
}

function missing(page: string): string[] {
  return namedFiles(page).filter((file) => {
    if (file in NOT_FILES) return false;
    if (ROOTS.test(file)) return !existsSync(path.join(REPO, file));
    // Relative to the page's folder (bench/peers/README.md names refs/…), or the end of some tracked path.
    const fromPage = path.join(path.dirname(page), file);
    return !TRACKED.some((tracked) => tracked === file || tracked === fromPage || tracked.endsWith(`/${file}`));
  }).map((file) => `${page}: ${file}`);
}

describe('files named in the Markdown pages', () => {
  it('finds them', () => {
    expect(namedFiles('docs/architecture.md')).toEqual(expect.arrayContaining(['src/bus/stored-heads.ts', 'hot-router.ts', 'accounting/socket-meter.ts']));
  });

  it.each(trackedPages(REPO))('%s: each exists', (page) => {
    expect(missing(page)).toEqual([]);
  });
});
