/**
 * No tracked text file keeps a merge's conflict markers: several branches are
 * merged into main every day, and a marker left in a doc or a source file is
 * easy to miss in review (in a .ts file the compiler catches it; in Markdown,
 * a template or a JSON fixture nothing else does).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../browser/harness.ts';

const MARKER = /^(?:<{7}|>{7})(?: |$)|^={7}$|^\|{7}(?: |$)/;

function markersIn(file: string): string[] {
  const full = path.join(REPO, file);
  // A file deleted in the work tree but not yet in git's index has nothing to check.
  if (!existsSync(full)) return [];
  const bytes = readFileSync(full);
  // Binary files (screenshots) hold no text to check.
  if (bytes.includes(0)) return [];
  return bytes.toString('utf8').split('\n').flatMap((line, index) => (MARKER.test(line) ? [`${file}:${index + 1}: ${line}`] : []));
}

describe('merge-conflict markers', () => {
  it('the pattern finds each kind of marker and nothing else', () => {
    expect(['<<<<<<< HEAD', '=======', '>>>>>>> h-docs', '||||||| base'].every((line) => MARKER.test(line))).toBe(true);
    expect(['========', '<<<<<<<<', '| a | b |', '==='].some((line) => MARKER.test(line))).toBe(false);
  });

  it('no tracked text file has one', () => {
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: REPO, encoding: 'utf8' }).split('\0').filter(Boolean);
    expect(files.length).toBeGreaterThan(100);
    expect(files.flatMap(markersIn)).toEqual([]);
  });
});
