/**
 * Every flag a command's `--help` prints is documented: the bench's in the
 * README's flags table, the server's and the cluster's in the README or
 * docs/api.md. A flag added to a command without a line in the docs fails here.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO } from '../browser/harness.ts';
import { proseLines, readPage } from './markdown.ts';
import { TYPESCRIPT_NODE_FLAGS } from '../../src/typescript-loader.ts';

const run = promisify(execFile);

async function helpOf(script: string): Promise<string> {
  const { stdout } = await run(process.execPath, [...TYPESCRIPT_NODE_FLAGS, script, '--help'], { cwd: REPO, timeout: 60_000 });
  return stdout;
}

/** `--flag` names in a help text (`-h` aside: every command has it). */
function flagsIn(help: string): string[] {
  return [...new Set(help.match(/--[a-z][a-z0-9-]*/g) ?? [])].filter((flag) => flag !== '--help');
}

/** Environment variables a help text names: `(env NAME…` in an option's line, and the lines of its Environment section. */
function variablesIn(help: string): string[] {
  const inOptions = [...help.matchAll(/\benv ([A-Z][A-Z0-9_]*)/g)].map((match) => match[1]);
  const section = help.split(/^Environment:$/m)[1]?.split(/\n\n/)[0] ?? '';
  const inSection = [...section.matchAll(/^ {2}([A-Z][A-Z0-9_]*) /gm)].map((match) => match[1]);
  return [...new Set([...inOptions, ...inSection])];
}

/** Words a page writes as inline code, outside code blocks. */
function codeWords(...pages: string[]): Set<string> {
  const text = pages.map((page) => proseLines(readPage(REPO, page)).join('\n')).join('\n');
  return new Set([...text.matchAll(/`([^`]+)`/g)].flatMap((match) => match[1].split(/[^A-Za-z0-9_-]+/)));
}

/** Flags a page documents: inside inline code (`--flag <value>`, `npm run bench -- --quick`), outside code blocks. */
function documentedFlags(...pages: string[]): Set<string> {
  const text = pages.map((page) => proseLines(readPage(REPO, page)).join('\n')).join('\n');
  const code = [...text.matchAll(/`([^`]+)`/g)].map((match) => match[1]).join(' ');
  return new Set(code.match(/(?<![\w-])--[a-z][a-z0-9-]*/g) ?? []);
}

describe('flags in --help are documented', () => {
  it('npm run bench: in the README', async () => {
    const flags = flagsIn(await helpOf('bench/main.ts'));
    expect(flags).toEqual(expect.arrayContaining(['--scenario', '--http', '--compression', '--body']));
    const documented = documentedFlags('README.md');
    expect(flags.filter((flag) => !documented.has(flag))).toEqual([]);
  }, 90_000);

  it('npm start: flags and variables in the README or docs/api.md', async () => {
    const help = await helpOf('src/server/main.ts');
    const flags = flagsIn(help);
    expect(flags).toEqual(expect.arrayContaining(['--port', '--redis', '--trust-proxy', '--tls-port']));
    const documented = documentedFlags('README.md', 'docs/api.md');
    expect(flags.filter((flag) => !documented.has(flag))).toEqual([]);
    const variables = variablesIn(help);
    expect(variables).toEqual(expect.arrayContaining(['PORT', 'REDIS_URL', 'TRANSPORT_LAB_SECRET']));
    const words = codeWords('README.md', 'docs/api.md');
    expect(variables.filter((name) => !words.has(name))).toEqual([]);
  }, 90_000);

  it('npm run cluster: flags and variables in the README or docs/api.md', async () => {
    const help = await helpOf('src/cluster/main.ts');
    const flags = flagsIn(help);
    expect(flags).toEqual(expect.arrayContaining(['--nodes', '--nginx-defaults']));
    const documented = documentedFlags('README.md', 'docs/api.md');
    expect(flags.filter((flag) => !documented.has(flag))).toEqual([]);
    const variables = variablesIn(help);
    expect(variables).toEqual(expect.arrayContaining(['NGINX', 'TRANSPORT_LAB_KEY']));
    const words = codeWords('README.md', 'docs/api.md');
    expect(variables.filter((name) => !words.has(name))).toEqual([]);
  }, 90_000);
});

describe('npm scripts are documented', () => {
  it('the README names each one a reader runs', () => {
    const scripts = Object.keys((JSON.parse(readFileSync(`${REPO}/package.json`, 'utf8')) as { scripts: Record<string, string> }).scripts)
      // build:web is a step of start, cluster, test and screenshots, not a command of its own.
      .filter((name) => name !== 'build:web');
    expect(scripts).toEqual(expect.arrayContaining(['start', 'test', 'bench', 'cluster']));
    const readme = readPage(REPO, 'README.md');
    const command = (name: string): string => (name === 'start' || name === 'test' ? `npm ${name}` : `npm run ${name}`);
    expect(scripts.filter((name) => !readme.includes(`\`${command(name)}`))).toEqual([]);
  });
});
