import { describe, expect, it } from 'vitest';
import { ceilingTable, chartConfigsFor, formatSummary, renderHtmlReport } from '../../bench/report/index.ts';
import { validateResults } from '../../src/results/validate.ts';
import { makeResultsFixture } from './fixture.ts';
import { ceilingFigures, withCeilingAndFailures } from './ceiling.ts';

const results = withCeilingAndFailures(makeResultsFixture());
const ceilingScenario = results.scenarios.find((scenario) => scenario.name === 'http-ceiling')!;

describe('the http-ceiling figures in the results', () => {
  it('validate, and a broken ceiling is named', () => {
    expect(validateResults(results)).toEqual({ ok: true, results });
    const broken = structuredClone(results) as unknown as { scenarios: { ceiling?: Record<string, unknown> }[] };
    broken.scenarios[2].ceiling = { ...broken.scenarios[2].ceiling, endpoints: 'many' };
    expect(validateResults(broken)).toMatchObject({ ok: false, failure: 'corrupt', reason: 'scenarios[2].ceiling has no endpoints list' });
  });

  it('make a table of requests per second → short-polling clients at each interval, read from the file', () => {
    const table = ceilingTable(ceilingScenario);
    const figures = ceilingFigures();
    expect(table?.head.slice(-3)).toEqual(['clients at T = 250 ms', 'clients at T = 1 s', 'clients at T = 5 s']);
    expect(table?.caption).toMatch(/^Read each row left to right: .*\.$/);
    expect(table?.caption).toContain('50 connections, 3 s each');
    const [poll, publish] = table?.rows ?? [];
    expect(poll.slice(0, 2)).toEqual(['GET /api/poll', '7,321.5']);
    expect(poll.slice(-3)).toEqual(figures.pollClients.map((row) => row.clients.toLocaleString('en-US')));
    expect(publish.slice(-3)).toEqual(['–', '–', '–']);
    expect(publish[6]).toBe('2 + 5 non-2xx');
    expect(ceilingTable(results.scenarios[0])).toBeNull();
  });

  it('has no chart to draw for scenarios without transport rows', () => {
    expect(chartConfigsFor(results, 'http-ceiling')).toEqual([]);
    expect(chartConfigsFor(results, 'burst')).toEqual([]);
  });
});

describe('the terminal summary with ceiling, empty scenarios and errors', () => {
  const text = formatSummary(results);

  it('prints the ceiling table and marks a scenario with no figures instead of failing', () => {
    expect(text).toContain('http-ceiling: FIXTURE: autocannon');
    expect(text).toMatch(/GET \/api\/poll\s+7,321.5 .* 1,830\s+7,321\s+36,607/);
    expect(text).toContain('burst: no figures (incomplete), see its errors below');
    // No empty summary table for the ceiling: its header row appears once per workload scenario.
    expect(text.split('\n').filter((line) => line.startsWith('transport  ') && line.includes('p50')).length).toBe(2);
  });

  it('prints every scenario and transport error with its reason and the output of a dead process', () => {
    expect(text).toContain('! http-ceiling http-ceiling: POST /api/messages: 5 non-2xx answers, 2 errors');
    expect(text).toContain('! burst server: exited with code 1\n    | Error: listen EADDRINUSE\n    |     at Server.listen');
    expect(text).toContain('! chat × long poll client-1: worker stopped answering');
  });
});

describe('the HTML report with a ceiling scenario', () => {
  it('shows the ceiling table and the errors, and no empty tables or charts for it', () => {
    const html = renderHtmlReport(results);
    const section = html.slice(html.indexOf('id="scenario-http-ceiling"'), html.indexOf('id="scenario-burst"'));
    expect(section).toContain('<th>clients at T = 1 s</th>');
    expect(section).toContain('<td>36,607</td>');
    expect(section).not.toContain('<canvas');
    expect(section).not.toContain('<th>bytes / client / s</th>');
    const burst = html.slice(html.indexOf('id="scenario-burst"'));
    expect(burst).toContain('No figures: this scenario did not run to the end');
    expect(burst).toContain('<pre>Error: listen EADDRINUSE');
    expect(html).toContain('long poll · <b>client-1</b>: worker stopped answering');
  });
});
