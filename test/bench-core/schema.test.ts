import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { SCHEMA_VERSION } from '../../src/results/schema.ts';
import { validateResults } from '../../src/results/validate.ts';
import { makeResultsFixture } from './fixture.ts';

describe('validateResults', () => {
  const good = makeResultsFixture();

  it('accepts a results object and its JSON text', () => {
    expect(validateResults(good)).toEqual({ ok: true, results: good });
    expect(validateResults(JSON.stringify(good))).toEqual({ ok: true, results: good });
  });

  it('the committed fixture is what the helper makes (re-run test/bench-core/fixture.ts after a schema change)', () => {
    const committed = JSON.parse(readFileSync(new URL('../fixtures/results-small.json', import.meta.url), 'utf8')) as unknown;
    expect(committed).toEqual(good);
  });

  it('tells a missing or empty file apart', () => {
    for (const input of [undefined, null, '', '   \n']) {
      expect(validateResults(input)).toMatchObject({ ok: false, failure: 'missing' });
    }
  });

  it('tells corrupt input apart', () => {
    expect(validateResults('{"schemaVersion": 1, "runId": ')).toMatchObject({ ok: false, failure: 'corrupt' });
    expect(validateResults('[1, 2]')).toMatchObject({ ok: false, failure: 'corrupt' });
    expect(validateResults(42)).toMatchObject({ ok: false, failure: 'corrupt' });
    const noScenarios = { ...good, scenarios: 'none' };
    expect(validateResults(noScenarios)).toMatchObject({ ok: false, failure: 'corrupt', reason: 'scenarios is not a list' });
    const brokenRow = structuredClone(good) as unknown as { scenarios: { transports: Record<string, unknown>[] }[] };
    delete brokenRow.scenarios[1].transports[2].latency;
    expect(validateResults(brokenRow)).toMatchObject({ ok: false, failure: 'corrupt', reason: 'scenarios[1].transports[2].latency is missing' });
  });

  it('tells an old schema apart, and a newer one', () => {
    const { schemaVersion: _dropped, ...unversioned } = good;
    expect(validateResults(unversioned)).toMatchObject({ ok: false, failure: 'old-schema' });
    expect(validateResults({ ...good, schemaVersion: SCHEMA_VERSION - 1 })).toMatchObject({ ok: false, failure: 'old-schema' });
    expect(validateResults({ ...good, schemaVersion: SCHEMA_VERSION + 1 })).toMatchObject({ ok: false, failure: 'newer-schema' });
  });
});
