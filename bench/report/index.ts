/** bench/report: prints and writes what aggregate computed. */
export { chartConfigsFor, findScenario, CHART_IDS, TRANSPORT_COLORS, TRANSPORT_LABELS } from './charts.ts';
export type { ChartSpec, ChartId } from './charts.ts';
export { projectionTable, theoryTable, summaryTable, peersTable, ceilingTable } from './tables.ts';
export type { Table } from './tables.ts';
export { formatSummary, formatTextTable, formatError } from './terminal.ts';
export { renderHtmlReport } from './html.ts';
export { writeResults, makeRunId } from './write.ts';
export type { WrittenFiles, WriteOptions } from './write.ts';
