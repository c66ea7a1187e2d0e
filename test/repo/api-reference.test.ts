/**
 * docs/api.md against the code it describes: the § Limits table's defaults
 * are DEFAULT_SERVER_OPTIONS (src/config.ts), every server option is named
 * somewhere in the reference, and the § Errors table is the one list of codes
 * (src/protocol/errors.ts) with their HTTP statuses.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVER_OPTIONS } from '../../src/config.ts';
import { ERRORS } from '../../src/protocol/errors.ts';
import { REPO } from '../browser/harness.ts';
import { proseLines, readPage } from './markdown.ts';

const API = proseLines(readPage(REPO, 'docs/api.md'));

/** The rows of the first table under a heading, each as its cells. */
function tableUnder(heading: string): string[][] {
  const start = API.findIndex((line) => line === heading);
  expect(start, `docs/api.md has the heading "${heading}"`).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const line of API.slice(start + 1)) {
    if (line.startsWith('#')) break;
    if (line.startsWith('|')) rows.push(line.slice(1, -1).split(/(?<!\\)\|/).map((cell) => cell.trim()));
    else if (rows.length > 0) break;
  }
  // Without the header row and its |---| line.
  return rows.slice(2);
}

const UNITS: Record<string, number> = { KiB: 1024, MiB: 1024 * 1024 };

/** A documented default as a value: `16 KiB`, `19,000`, `` `false` ``, `` `['loopback']` ``, `` `'none'` ``, `` `web/dist` ``. */
function documentedValue(text: string): unknown {
  const number = /^([\d,.]+)(?: (KiB|MiB))?$/.exec(text);
  if (number) return Number(number[1].replace(/,/g, '')) * (number[2] ? UNITS[number[2]] : 1);
  const code = /^`(.*)`$/.exec(text);
  if (!code) return text;
  try {
    return JSON.parse(code[1].replace(/'/g, '"'));
  } catch {
    return code[1];
  }
}

describe('docs/api.md § Limits', () => {
  const rows = tableUnder('## Limits');

  it('reads the table', () => {
    expect(rows.length).toBeGreaterThan(30);
    expect(documentedValue('16 KiB')).toBe(16 * 1024);
    expect(documentedValue("`['loopback']`")).toEqual(['loopback']);
  });

  it('gives each option the default of src/config.ts', () => {
    const wrong: string[] = [];
    for (const [names, defaults] of rows) {
      const options = [...names.matchAll(/`(\w+)`/g)].map((match) => match[1]);
      const values = defaults.split(' / ');
      options.forEach((option, i) => {
        expect(Object.keys(DEFAULT_SERVER_OPTIONS), `§ Limits names ${option}`).toContain(option);
        const actual = DEFAULT_SERVER_OPTIONS[option as keyof typeof DEFAULT_SERVER_OPTIONS];
        const documented = documentedValue(values[options.length === values.length ? i : 0]);
        // webDist is an absolute path in the code, the repository's folder in the docs.
        const same = option === 'webDist' ? String(actual).endsWith(String(documented)) : JSON.stringify(actual) === JSON.stringify(documented);
        if (!same) wrong.push(`${option}: docs ${JSON.stringify(documented)}, code ${JSON.stringify(actual)}`);
      });
    }
    expect(wrong).toEqual([]);
  });

  it('names every server option somewhere in the reference', () => {
    const text = API.join('\n');
    const missing = Object.keys(DEFAULT_SERVER_OPTIONS).filter((option) => !text.includes(`\`${option}\``));
    expect(missing).toEqual([]);
  });
});

describe('docs/api.md § Errors', () => {
  it('lists every error code with its HTTP status, and no other', () => {
    const rows = tableUnder('## Errors');
    const documented = Object.fromEntries(rows.map(([code, status]) => [code.replace(/`/g, ''), Number(/^\d+/.exec(status)?.[0])]));
    const actual = Object.fromEntries(Object.entries(ERRORS).map(([code, { status }]) => [code, status]));
    expect(documented).toEqual(actual);
  });
});
