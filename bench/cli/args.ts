/**
 * The command line → a bench plan. `parseArgs` with `strict: true`: an
 * unknown flag is an error; so is an unknown scenario, transport, network or
 * header profile, and each error lists the valid values.
 */
import { parseArgs } from 'node:util';
import { isTransportName, TRANSPORT_NAMES, type TransportName } from '../../src/protocol/index.ts';
import { HEADER_PROFILE_NAMES, isHeaderProfileName } from '../headers/index.ts';
import {
  DEFAULT_SCENARIOS,
  networkConfig,
  QUICK_SCENARIOS,
  SCENARIO_NAMES,
  scenarioNamed,
  type Scenario,
  type WorkloadSettings,
} from '../scenarios/index.ts';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface CliOptions {
  help: boolean;
  scenarios: Scenario[];
  /** `--scenario` was given. */
  scenariosChosen: boolean;
  transports: TransportName[];
  flags: Partial<WorkloadSettings>;
  quick: boolean;
  pin: boolean;
  clientProcesses?: number;
  /** `--peers-repeats`: interleaved repeats of each ours/reference pair (bench/peers). */
  peersRepeats?: number;
  outDir: string;
}

const FLAGS = {
  scenario: { type: 'string' },
  transports: { type: 'string' },
  clients: { type: 'string' },
  network: { type: 'string' },
  headers: { type: 'string' },
  duration: { type: 'string' },
  rate: { type: 'string' },
  'body-size': { type: 'string' },
  'burst-size': { type: 'string' },
  'poll-interval': { type: 'string' },
  'longpoll-wait': { type: 'string' },
  processes: { type: 'string' },
  out: { type: 'string' },
  quick: { type: 'boolean' },
  pin: { type: 'boolean' },
  'peers-repeats': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const FLAG_NAMES = Object.keys(FLAGS).map((name) => `--${name}`);

function list(value: string): string[] {
  return value.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

function number(flag: string, value: string | undefined, min: number, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min || (integer && !Number.isInteger(parsed))) {
    throw new UsageError(`--${flag} must be ${integer ? 'an integer' : 'a number'} of at least ${min}, got "${value}"`);
  }
  return parsed;
}

/** Most repeats of a peers pair: each is a full saturation run of both sides. */
const MAX_PEERS_REPEATS = 20;

function peersRepeats(value: string | undefined): number | undefined {
  const parsed = number('peers-repeats', value, 1, true);
  if (parsed !== undefined && parsed > MAX_PEERS_REPEATS) throw new UsageError(`--peers-repeats must be at most ${MAX_PEERS_REPEATS}, got "${value}"`);
  return parsed;
}

export function parseCli(argv: string[]): CliOptions {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nvalid options: ${FLAG_NAMES.join(' ')}`);
  }
  const quick = values.quick === true;
  const scenarioNames = values.scenario === undefined ? (quick ? QUICK_SCENARIOS : DEFAULT_SCENARIOS) : list(values.scenario);
  const scenarios = scenarioNames.map((name) => {
    const scenario = scenarioNamed(name);
    if (!scenario) throw new UsageError(`unknown scenario "${name}": valid scenarios are ${SCENARIO_NAMES.join(', ')}`);
    return scenario;
  });
  if (scenarios.length === 0) throw new UsageError(`--scenario names no scenario: valid scenarios are ${SCENARIO_NAMES.join(', ')}`);

  const transports = values.transports === undefined ? [...TRANSPORT_NAMES] : list(values.transports);
  for (const name of transports) {
    if (!isTransportName(name)) throw new UsageError(`unknown transport "${name}": valid transports are ${TRANSPORT_NAMES.join(', ')}`);
  }
  if (transports.length === 0) throw new UsageError(`--transports names no transport: valid transports are ${TRANSPORT_NAMES.join(', ')}`);

  const flags: Partial<WorkloadSettings> = {};
  if (values.network !== undefined) {
    try {
      flags.network = networkConfig(values.network);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  if (values.headers !== undefined) {
    if (!isHeaderProfileName(values.headers)) {
      throw new UsageError(`unknown header profile "${values.headers}": valid profiles are ${HEADER_PROFILE_NAMES.join(', ')}`);
    }
    flags.headers = values.headers;
  }
  const numeric: [keyof WorkloadSettings, string, number, boolean][] = [
    ['clients', 'clients', 1, true],
    ['durationSeconds', 'duration', 0.5, false],
    ['publishRatePerSecond', 'rate', 0.01, false],
    ['bodyBytes', 'body-size', 1, true],
    ['burstSize', 'burst-size', 1, true],
    ['pollIntervalMs', 'poll-interval', 10, false],
    ['longPollWaitSeconds', 'longpoll-wait', 1, true],
  ];
  for (const [key, flag, min, integer] of numeric) {
    const parsed = number(flag, values[flag as keyof typeof values] as string | undefined, min, integer);
    if (parsed !== undefined) Object.assign(flags, { [key]: parsed });
  }
  return {
    help: values.help === true,
    scenarios,
    scenariosChosen: values.scenario !== undefined,
    transports: transports as TransportName[],
    flags,
    quick,
    pin: values.pin === true,
    clientProcesses: number('processes', values.processes, 1, true),
    peersRepeats: peersRepeats(values['peers-repeats']),
    outDir: values.out ?? 'results',
  };
}
