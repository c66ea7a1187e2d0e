/**
 * `npm run bench`: parse the command line, run scenarios × transports, print
 * the summary, write the results. Ctrl-C or SIGTERM stops cleanly: the unit
 * under way is cut short, what was measured is written marked incomplete (and
 * does not become latest.json), and no child process is left behind (a second
 * signal kills everything at once).
 */
import { helpText } from './cli/help.ts';
import { parseCli, UsageError, type CliOptions } from './cli/args.ts';
import { RunProgress } from './cli/progress.ts';
import { summaryText } from './cli/summary.ts';
import { killAll, reapAll } from './run/child-processes.ts';
import { writeResults } from './report/write.ts';
import { cpusLeftToSleep, holdCpusAwake } from './run/cpu-wake.ts';
import { runIdFor } from './run/context.ts';
import { estimateSeconds, rigSeconds, runBench, workloadUnits } from './run/run-bench.ts';
import { settingsFor } from './scenarios/index.ts';

const EXIT_USAGE = 2;
const EXIT_INTERRUPTED = 130;
const EXIT_TERMINATED = 143;

async function main(argv: string[]): Promise<number> {
  let options: CliOptions;
  try {
    options = parseCli(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`npm run bench: ${error.message}\nRun with --help for usage.\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
  if (options.help) {
    process.stdout.write(helpText());
    return 0;
  }

  const controller = new AbortController();
  let interrupts = 0;
  let exitCode = EXIT_INTERRUPTED;
  // SIGTERM (a supervisor, `kill`, `timeout`) stops the run exactly as Ctrl-C does.
  const interrupt = (signal: NodeJS.Signals): void => {
    interrupts += 1;
    if (interrupts === 1) {
      exitCode = signal === 'SIGTERM' ? EXIT_TERMINATED : EXIT_INTERRUPTED;
      process.stderr.write(`\n${signal === 'SIGTERM' ? 'Terminated' : 'Interrupted'}: stopping the current run and writing what was measured (again to quit at once)\n`);
      controller.abort();
    } else {
      killAll();
      process.exit(exitCode);
    }
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);

  const date = new Date();
  const runId = runIdFor(date, options.quick);
  const workloads = options.scenarios.some((scenario) => scenario.kind === 'workload');
  const total = options.scenarios.reduce((sum, scenario) => {
    const settings = settingsFor(scenario, options.quick, options.flags);
    const units = scenario.kind === 'workload'
      ? workloadUnits(options.transports, options.conditional, options.http, options.compression).length
      : 1;
    return sum + units * estimateSeconds(scenario, settings, options.quick, options.scenariosChosen, options);
  }, workloads ? rigSeconds(workloadUnits(options.transports, false, options.http).length) : 0);
  process.stdout.write(
    `transport-lab bench ${runId}: ${options.scenarios.map((s) => s.name).join(', ')} × ${options.transports.join(', ')} ` +
      `(about ${Math.round(total)} s)\n`,
  );
  const progress = new RunProgress(total);
  const cpuWake = options.cpuSleep ? cpusLeftToSleep('--cpu-sleep') : holdCpusAwake();
  const results = await runBench(
    {
      runId,
      date,
      scenarios: options.scenarios,
      transports: options.transports,
      flags: options.flags,
      quick: options.quick,
      pin: options.pin,
      clientProcesses: options.clientProcesses,
      peersRepeats: options.peersRepeats,
      peersScale: options.peersScale,
      peersParts: options.peersParts,
      scenariosChosen: options.scenariosChosen,
      argv,
      conditional: options.conditional,
      compression: options.compression,
      http: options.http,
      cpuWake: cpuWake.state,
    },
    {
      signal: controller.signal,
      onUnit: (label, seconds) => progress.unit(label, seconds),
      onProgress: (seconds) => progress.advance(seconds),
    },
  );
  progress.finish();
  cpuWake.release();
  await reapAll(3000);

  process.stdout.write(`\n${summaryText(results)}\n\n`);
  // An incomplete run is kept, but never becomes latest.json: the dashboard opens only whole runs.
  const updateLatest = !results.incomplete;
  let files;
  try {
    files = writeResults(results, { dir: options.outDir, updateLatest });
  } catch (error) {
    // The figures matter more than the page: keep the JSON even when the HTML report fails.
    process.stderr.write(`could not write the HTML report: ${(error as Error).message}\n`);
    files = writeResults(results, { dir: options.outDir, html: false, updateLatest });
  }
  process.stdout.write(
    `results: ${files.json}\nreport:  ${files.html}\n` +
      (updateLatest ? `latest:  ${files.latest}\n` : `latest:  unchanged (this run is incomplete)\n`),
  );
  return results.incomplete && controller.signal.aborted ? exitCode : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`npm run bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    killAll();
    process.exit(1);
  },
);
