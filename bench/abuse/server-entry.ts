/**
 * The server under attack, in a process of its own so that its RSS is its
 * own (an attack's memory must not hide in the attacker's). Options come as
 * JSON in ABUSE_SERVER_OPTIONS; `resultsDir` points the lab's results routes
 * at a temporary folder. Prints the same ready line as src/server/main.ts,
 * closes gracefully on SIGTERM, and exits when its parent's IPC channel closes.
 */
import { createLabMount, type LabMountOptions } from '../../src/lab/mount.ts';
import { startLabServer, type StartOptions } from '../../src/server/create.ts';

const { resultsDir, lab, ...options } = JSON.parse(process.env.ABUSE_SERVER_OPTIONS ?? '{}') as StartOptions & {
  resultsDir?: string;
  /** Options of the lab's routes besides resultsDir (e.g. the fix's loopbackIsInstructor). */
  lab?: Record<string, unknown>;
};

process.on('disconnect', () => process.exit(0));
const server = await startLabServer({
  port: 0,
  host: '127.0.0.1',
  serveWeb: false,
  ...options,
  mount: createLabMount({ resultsDir, ...lab } as LabMountOptions),
});
process.stdout.write(`transport-lab listening on ${server.url}\n`);

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) process.exit(1);
  stopping = true;
  server.close().then(() => process.exit(0), () => process.exit(1));
});
