/**
 * Every `npm run bench -- …` the docs give is a command the bench accepts:
 * its flags exist and its values are in range (parsed by the bench's own
 * parseCli, nothing run). A renamed flag or a narrowed range fails here
 * instead of in a reader's terminal.
 */
import { describe, expect, it } from 'vitest';
import { parseCli } from '../../bench/cli/args.ts';
import { REPO } from '../browser/harness.ts';
import { readPage, trackedPages } from './markdown.ts';

const PAGES = trackedPages(REPO);

/** The arguments after `npm run bench --` of each command in a page: in code blocks and in inline code (which may wrap). */
function benchCommands(text: string): string[] {
  const blocks = [...text.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)].flatMap((match) => match[1].split('\n'));
  const prose = text.replace(/^```[^\n]*\n[\s\S]*?^```/gm, '');
  const inline = [...prose.matchAll(/`([^`]+)`/g)].map((match) => match[1].replace(/\s+/g, ' '));
  return [...blocks, ...inline]
    .map((line) => /npm run bench -- ?(.*)$/.exec(line.replace(/\s#.*$/, ''))?.[1])
    .filter((args): args is string => args !== undefined)
    // A placeholder (`<n>`, `…`) is a syntax line, not a command.
    .filter((args) => !/[<…]/.test(args))
    .map((args) => args.trim());
}

describe('bench commands in the docs', () => {
  it('finds them, in blocks and wrapped inline code', () => {
    const found = benchCommands('```sh\nnpm run bench -- --quick   # soon\n```\nrun `npm run bench -- --scenario idle\n  --http 1.1,2` or `npm run bench -- --peers-repeats <n>`');
    expect(found).toEqual(['--quick', '--scenario idle --http 1.1,2']);
  });

  it.each(PAGES)('%s: each one parses', (page) => {
    const refused: string[] = [];
    for (const args of benchCommands(readPage(REPO, page))) {
      try {
        parseCli(args === '' ? [] : args.split(' '));
      } catch (error) {
        refused.push(`npm run bench -- ${args}: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    expect(refused).toEqual([]);
  });

  it('the README gives a dozen or more', () => {
    expect(benchCommands(readPage(REPO, 'README.md')).length).toBeGreaterThanOrEqual(12);
  });
});
