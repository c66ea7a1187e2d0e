/**
 * Entry point of one load process: `node --import ./scripts/ts-loader.mjs bench/peers/load/worker.ts '<WorkerConfig JSON>'`,
 * spawned with an IPC channel. Load runs in processes of its own so that it
 * never shares an event loop with the server it measures.
 */
import type { WorkerCommand, WorkerConfig, WorkerReport } from './messages.ts';
import { HeldRole } from './held.ts';
import { HttpPublisherRole } from './http-publisher.ts';
import { HttpSubscribersRole } from './http-subscribers.ts';
import { PublisherRole } from './publisher.ts';
import { SubscribersRole } from './subscribers.ts';

interface Role {
  start(tokens: string[]): Promise<void>;
  handle(command: WorkerCommand): void;
  close(): void;
}

function send(report: WorkerReport): void {
  process.send?.(report);
}

function roleFor(config: WorkerConfig): Role {
  switch (config.role) {
    case 'subscribers':
      return new SubscribersRole(config, send);
    case 'publisher':
      return new PublisherRole(config, send);
    case 'held':
      return new HeldRole(config, send);
    case 'http-subscribers':
      return new HttpSubscribersRole(config, send);
    case 'http-publisher':
      return new HttpPublisherRole(config, send);
  }
}

const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
const role = roleFor(config);
process.on('message', (command: WorkerCommand) => {
  if (command.type === 'start') role.start(command.tokens ?? []).catch((error: Error) => send({ type: 'fatal', message: error.message }));
  else role.handle(command);
});
// The parent going away (or closing the channel) ends the worker.
process.on('disconnect', () => {
  role.close();
  process.exit(0);
});
