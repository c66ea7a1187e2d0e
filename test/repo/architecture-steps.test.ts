/**
 * docs/architecture.md's "Add a transport" and "Add a bus adapter" steps name
 * what one really touches: in each step, every code name it gives
 * (`TRANSPORTS`, `REMAINDER`, `runAdapterSuite`, `settledSeq`…) is in one of
 * the files the step names. A map renamed or moved to another file fails here.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../browser/harness.ts';
import { readPage } from './markdown.ts';

const MAP = readPage(REPO, 'docs/architecture.md');

/** The numbered steps of a section, each as its whole text. */
function stepsOf(heading: string): string[] {
  const section = MAP.split(`\n${heading}\n`)[1]?.split(/\n## /)[0] ?? '';
  // A step ends at the next step or at a blank line (the prose after the list).
  return section.split(/\n(?=\d+\. )/).filter((step) => /^\d+\. /.test(step)).map((step) => step.split('\n\n')[0]);
}

function isFile(file: string): boolean {
  try {
    return statSync(path.join(REPO, file)).isFile();
  } catch {
    return false;
  }
}

/** Code names of a step missing from every existing file it names (a step naming none is not checked). */
function unmatchedNames(step: string): string[] {
  const code = [...step.matchAll(/`([^`]+)`/g)].map((match) => match[1]);
  const files = code.filter((text) => /^(?:src|bench|test|web)\//.test(text) && isFile(text));
  if (files.length === 0) return [];
  const source = files.map((file) => readFileSync(path.join(REPO, file), 'utf8')).join('\n');
  const names = code.map((text) => text.replace(/\(\)$/, '')).filter((text) => /^[A-Za-z_]\w*$/.test(text));
  return names.filter((name) => !new RegExp(`\\b${name}\\b`).test(source)).map((name) => `${step.split('\n')[0]}: ${name}`);
}

describe('docs/architecture.md: the files to touch', () => {
  it.each(['## Add a transport', '## Add a bus adapter'])('%s: each step\'s names are in its files', (heading) => {
    const steps = stepsOf(heading);
    expect(steps.length).toBeGreaterThanOrEqual(5);
    expect(steps.flatMap(unmatchedNames)).toEqual([]);
  });
});
