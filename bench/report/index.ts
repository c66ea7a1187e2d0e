/** bench/report: prints and writes what aggregate computed. */
export { chartConfigsFor, chartIdsFor, findScenario, logTickLabel, withLogTickLabels, CHART_IDS, TRANSPORT_COLORS, TRANSPORT_LABELS } from './charts.ts';
export type { ChartSpec, ChartId } from './charts.ts';
export { projectionTable, headerProjectionTable, theoryTable, summaryTable, peersTable, ceilingTable, idleTable, nothingDelivered, workloadText, NO_VALUE } from './tables.ts';
export type { Table } from './tables.ts';
export { stickinessTable } from './sticky-table.ts';
export { formatSummary, formatTextTable, formatError } from './terminal.ts';
export { renderHtmlReport, navLinks } from './html.ts';
export { writeResults, makeRunId } from './write.ts';
export type { WrittenFiles, WriteOptions } from './write.ts';
