/**
 * The script of the self-contained HTML report, bundled into the page by
 * html.ts. It runs in the browser, reads the embedded results and draws every
 * chart with the same chart module as the dashboard (charts.ts). chart.js is
 * inlined separately as its UMD build and found on `window.Chart`.
 */
import type { Chart as ChartClass } from 'chart.js';
import { validateResults } from '../../src/results/validate.ts';
import { chartConfigsFor, withLogTickLabels } from './charts.ts';

/** What the page adds to `window` (kept local: no global type augmentation leaks into the project). */
interface ReportWindow {
  Chart: typeof ChartClass;
  /** Set when every chart has been drawn: how many, or the error that stopped it. */
  reportStatus?: { charts: number } | { error: string };
}
const page = window as unknown as ReportWindow;

function showError(message: string): void {
  const banner = document.getElementById('report-error');
  if (banner) {
    banner.textContent = message;
    banner.hidden = false;
  }
  page.reportStatus = { error: message };
}

function drawAll(): void {
  const data = document.getElementById('results-data')?.textContent ?? '';
  const checked = validateResults(data);
  if (!checked.ok) {
    showError(`This report's data cannot be read (${checked.failure}): ${checked.reason}`);
    return;
  }
  let drawn = 0;
  for (const scenario of checked.results.scenarios) {
    for (const spec of chartConfigsFor(checked.results, scenario.name)) {
      const canvas = document.querySelector<HTMLCanvasElement>(
        `canvas[data-scenario="${CSS.escape(scenario.name)}"][data-chart="${spec.id}"]`,
      );
      if (!canvas) continue;
      new page.Chart(canvas, withLogTickLabels(spec.config));
      drawn++;
    }
  }
  page.reportStatus = { charts: drawn };
}

try {
  drawAll();
} catch (error) {
  showError(`The charts could not be drawn: ${(error as Error).message}`);
}
