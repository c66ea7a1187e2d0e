/**
 * Finding 10, symlinks in results/: a link inside the folder that points
 * outside it (here to a file of the attack's own, and to /etc/passwd) must
 * be neither served nor listed — only real files inside the folder are.
 * The folder is a temporary one: tests never touch the tracked results/.
 */
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MIB } from '../rss.ts';
import { equal } from '../checks.ts';
import type { Attack } from '../types.ts';
import { request, tally } from '../wire.ts';

/** What a link's name answers: as if there were no such file. */
export const SYMLINK_REFUSAL = 'not_found';
const MARKER = 'outside-the-results-folder';

let scratch: string | undefined;

export const resultsSymlink: Attack = {
  name: 'results-symlink',
  finding: '10',
  tries: 'a symlink in results/ to a file outside it, and to /etc/passwd',
  refusalCodes: [SYMLINK_REFUSAL],
  get serverOptions() {
    scratch ??= path.join(os.tmpdir(), `abuse-results-${process.pid}-${Date.now()}`);
    return { resultsDir: path.join(scratch, 'results') };
  },
  attendeeTransport: 'sse',
  rssBoundBytes: 64 * MIB,
  async setup() {
    const results = String(this.serverOptions.resultsDir);
    await mkdir(results, { recursive: true });
    const outside = path.join(results, '..', 'secret.json');
    await writeFile(outside, JSON.stringify({ secret: MARKER }));
    await writeFile(path.join(results, 'real.json'), JSON.stringify({ note: 'a real file' }));
    await symlink(outside, path.join(results, 'outside.json'));
    await symlink('/etc/passwd', path.join(results, 'passwd.json'));
  },
  async cleanup() {
    if (scratch) await rm(scratch, { recursive: true, force: true });
    scratch = undefined;
  },
  check: ({ facts }) => [
    ...equal(facts, 'leaked', 0, 'a symlink\'s target was served'),
    ...equal(facts, 'linksListed', 0, 'a symlink was listed'),
    ...equal(facts, 'realFileStatus', 200, 'the real file was not served'),
    ...equal(facts, 'realFileListed', true, 'the real file was not listed'),
  ],
  async run(target) {
    const refusals: Record<string, number> = {};
    let leaked = 0;
    for (const file of ['outside.json', 'passwd.json']) {
      const answer = await request(target.url, `/api/lab/results/${file}`);
      tally(refusals, answer.code ?? answer.status);
      if (answer.text.includes(MARKER) || answer.text.includes('root:')) leaked += 1;
    }
    const real = await request(target.url, '/api/lab/results/real.json');
    const listing = JSON.parse((await request(target.url, '/api/lab/results')).text) as { files?: { file: string }[] };
    const listed = (listing.files ?? []).map((entry) => entry.file);
    return {
      refusals,
      facts: {
        leaked,
        realFileStatus: real.status,
        linksListed: listed.filter((file) => file === 'outside.json' || file === 'passwd.json').length,
        realFileListed: listed.includes('real.json'),
      },
    };
  },
};
