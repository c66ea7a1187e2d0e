/**
 * The summary printed at the end of a run: bench/report's terminal summary
 * (every scenario's tables, the server's ceiling, and every error with why).
 */
import type { BenchResults } from '../../src/results/schema.ts';
import { formatSummary } from '../report/terminal.ts';

export function summaryText(results: BenchResults): string {
  return formatSummary(results).trimEnd();
}
