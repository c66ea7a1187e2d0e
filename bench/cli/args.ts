/**
 * The command line → a bench plan. `parseArgs` with `strict: true`: an
 * unknown flag is an error; so is an unknown scenario, transport, network or
 * header profile, and each error lists the valid values.
 */
import { parseArgs } from 'node:util';
import { isTransportName, TRANSPORT_NAMES, type TransportName } from '../../src/protocol/index.ts';
import { expandPeersParts, PEERS_PART_GROUPS, PEERS_PARTS, type PeersPart } from '../../src/results/peers.ts';
import { HEADER_PROFILE_NAMES, isHeaderProfileName } from '../headers/index.ts';
import { BODY_KINDS, type BodyKind } from '../sim/chat-body.ts';
import { NETWORK_FLAGS, isImpairedProfile, networkFromFlags } from './network-flags.ts';
import {
  DEFAULT_SCENARIOS,
  DEFAULT_SETTINGS,
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
  /** `--cpu-sleep`: leave idle CPUs to the OS instead of holding them awake while measuring (bench/run/cpu-wake.ts). */
  cpuSleep: boolean;
  clientProcesses?: number;
  /** `--peers-repeats`: interleaved repeats of each ours/reference pair (bench/peers). */
  peersRepeats?: number;
  /** `--peers-scale limit`: the peers memory runs at the process's descriptor limit (19,000 idle, 15,000 held). */
  peersScale: boolean;
  /** `--peers-parts`: only these peers parts (groups expanded); every part when absent. */
  peersParts?: PeersPart[];
  outDir: string;
  /** `--conditional`: measure short polling with If-None-Match / 304 next to plain `poll`. */
  conditional: boolean;
  /** `--compression on` (or `deflate`): each transport again with the server's compression on and the clients accepting it. */
  compression: boolean;
  /** `--http 1.1|2|2-tls` or a list: the HTTP versions poll, longpoll and sse run over (ws stays on HTTP/1.1). */
  http: HttpVersion[];
}

/** `2-tls`: HTTP/2 over TLS (ALPN h2, the server's self-signed certificate): TLS record overhead counted too. */
export const HTTP_VERSIONS = ['1.1', '2', '2-tls'] as const;
export type HttpVersion = (typeof HTTP_VERSIONS)[number];

/** `--http 2` changes only poll, longpoll and sse: with ws alone it would measure nothing it names. */
function httpFor(versions: HttpVersion[], transports: TransportName[]): HttpVersion[] {
  if (versions.some((version) => version !== '1.1') && transports.every((name) => name === 'ws')) {
    throw new UsageError('--http 2 runs poll, longpoll and sse over HTTP/2 (ws stays on HTTP/1.1): --transports must include one of them');
  }
  return versions;
}

/** `--http`: a list of versions, each once, in the order 1.1 then 2. */
export function parseHttpVersions(value: string | undefined): HttpVersion[] {
  if (value === undefined) return ['1.1'];
  const named = list(value);
  for (const name of named) {
    if (!(HTTP_VERSIONS as readonly string[]).includes(name)) {
      throw new UsageError(`unknown HTTP version "${name}": --http takes a list of ${HTTP_VERSIONS.join(', ')}`);
    }
  }
  const versions = HTTP_VERSIONS.filter((version) => named.includes(version));
  if (versions.length === 0) throw new UsageError(`--http names no version: valid versions are ${HTTP_VERSIONS.join(', ')}`);
  return versions;
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
  'cpu-sleep': { type: 'boolean' },
  'peers-repeats': { type: 'string' },
  'peers-scale': { type: 'string' },
  'peers-parts': { type: 'string' },
  ...NETWORK_FLAGS,
  help: { type: 'boolean', short: 'h' },
  conditional: { type: 'boolean' },
  compression: { type: 'string' },
  http: { type: 'string' },
  body: { type: 'string' },
} as const;

export const FLAG_NAMES = Object.keys(FLAGS).map((name) => `--${name}`);

function list(value: string): string[] {
  return value.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

/** A numeric flag's allowed range: beyond it a run would hang, exhaust the machine, or mean nothing. */
export interface NumericRange {
  min: number;
  max: number;
  integer: boolean;
  unit?: string;
}

/**
 * Every numeric flag's range. The maxima keep a run finite on one machine:
 * 50,000 clients is past what one host's descriptors hold; a 10 s round trip
 * already turns each step into minutes; the server accepts bodies up to 16 KiB
 * and long-poll waits up to 60 s (src/config.ts).
 */
export const NUMERIC_RANGES = {
  clients: { min: 1, max: 50_000, integer: true },
  duration: { min: 0.5, max: 3600, integer: false, unit: 's' },
  rate: { min: 0.01, max: 1000, integer: false, unit: 'msg/s' },
  'body-size': { min: 1, max: 16 * 1024, integer: true, unit: 'bytes' },
  'burst-size': { min: 1, max: 1000, integer: true },
  'poll-interval': { min: 10, max: 600_000, integer: false, unit: 'ms' },
  'longpoll-wait': { min: 1, max: 60, integer: true, unit: 's' },
  processes: { min: 1, max: 64, integer: true },
  /** Each repeat is a full saturation run of both sides of a peers pair. */
  'peers-repeats': { min: 1, max: 20, integer: true },
  /** `--network <n>ms`: the round trip. */
  network: { min: 0, max: 10_000, integer: false, unit: 'ms' },
} as const satisfies Record<string, NumericRange>;

function describeRange(range: NumericRange): string {
  const unit = range.unit ? ` ${range.unit}` : '';
  return `${range.integer ? 'an integer' : 'a number'} from ${range.min.toLocaleString('en-US')} to ${range.max.toLocaleString('en-US')}${unit}`;
}

/** The flag's value as a number within its range, or a UsageError that says the range. */
export function numberInRange(flag: keyof typeof NUMERIC_RANGES, value: string | undefined, shown = value): number | undefined {
  if (value === undefined) return undefined;
  const range: NumericRange = NUMERIC_RANGES[flag];
  const parsed = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(parsed) || parsed < range.min || parsed > range.max || (range.integer && !Number.isInteger(parsed))) {
    throw new UsageError(`--${flag} must be ${describeRange(range)}, got "${shown}"`);
  }
  return parsed;
}

/**
 * `--clients -5` would make parseArgs read `-5` as an option ("argument is
 * ambiguous"): a value that looks like a negative number is joined to its
 * flag (`--clients=-5`), so the range check can name the problem.
 */
export function joinNegativeValues(argv: string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const name = argv[i].startsWith('--') ? argv[i].slice(2) : '';
    const spec = (FLAGS as Record<string, { type: string }>)[name];
    const next = argv[i + 1];
    if (spec?.type === 'string' && next !== undefined && /^-\d|^-\.\d/.test(next)) {
      joined.push(`${argv[i]}=${next}`);
      i += 1;
    } else {
      joined.push(argv[i]);
    }
  }
  return joined;
}

/** `--peers-scale`: `default` (the run's own sizes) or `limit` (the process's descriptor limit). */
export const PEERS_SCALES = ['default', 'limit'] as const;

/** Every name `--peers-parts` takes: the parts, then the groups. */
export const PEERS_PART_NAMES: readonly string[] = [...PEERS_PARTS, ...Object.keys(PEERS_PART_GROUPS)];

/** `--peers-parts a,b`: parts or groups of them, each part once, in run order. */
export function parsePeersParts(value: string | undefined): PeersPart[] | undefined {
  if (value === undefined) return undefined;
  const named = list(value);
  const unknown = named.find((name) => !PEERS_PART_NAMES.includes(name));
  if (unknown !== undefined) throw new UsageError(`unknown peers part "${unknown}": --peers-parts takes a list of ${PEERS_PART_NAMES.join(', ')}`);
  const parts = expandPeersParts(named);
  if (parts === null || parts.length === 0) throw new UsageError(`--peers-parts names no part: valid parts are ${PEERS_PART_NAMES.join(', ')}`);
  return parts;
}

function parsePeersScale(value: string | undefined): boolean {
  if (value === undefined) return false;
  if (!(PEERS_SCALES as readonly string[]).includes(value)) throw new UsageError(`--peers-scale must be ${PEERS_SCALES.join(' or ')}, got "${value}"`);
  return value === 'limit';
}

export function parseCli(argv: string[]): CliOptions {
  let values;
  try {
    ({ values } = parseArgs({ args: joinNegativeValues(argv), options: FLAGS, strict: true, allowPositionals: false }));
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

  if (values.conditional === true && !transports.includes('poll')) {
    throw new UsageError('--conditional measures short polling next to plain polling: --transports must include poll');
  }

  const compression = values.compression === undefined || values.compression === 'none' ? false
    : values.compression === 'on' || values.compression === 'deflate' ? true : undefined;
  if (compression === undefined) {
    throw new UsageError(`--compression must be none, on or deflate, got "${String(values.compression)}"`);
  }

  const flags: Partial<WorkloadSettings> = {};
  if (values.network !== undefined && !isImpairedProfile(values.network)) {
    const custom = /^(.*)ms$/.exec(values.network);
    if (custom) numberInRange('network', custom[1], values.network);
    try {
      flags.network = networkConfig(values.network);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  // mobile-3g, flaky-wifi, nat-60s, and --jitter, --stall-rate, --cut-every, --idle-drop over any network.
  const impaired = networkFromFlags(values.network, values, flags.network ?? DEFAULT_SETTINGS.network, (message) => new UsageError(message));
  if (impaired) flags.network = impaired;
  if (values.headers !== undefined) {
    if (!isHeaderProfileName(values.headers)) {
      throw new UsageError(`unknown header profile "${values.headers}": valid profiles are ${HEADER_PROFILE_NAMES.join(', ')}`);
    }
    flags.headers = values.headers;
  }
  // Compression measured on filler would flatter it: a compressed run's bodies are chat-like unless --body says otherwise.
  const body = values.body ?? (compression ? 'chat' : undefined);
  if (body !== undefined) {
    if (!(BODY_KINDS as readonly string[]).includes(body)) {
      throw new UsageError(`unknown body "${body}": --body takes ${BODY_KINDS.join(' or ')}`);
    }
    flags.body = body as BodyKind;
  }
  const peersParts = parsePeersParts(values['peers-parts']);
  const peersScale = parsePeersScale(values['peers-scale']);
  // A peers option with no peers run would be silently ignored: refuse it like --conditional without poll.
  if ((peersParts !== undefined || values['peers-scale'] !== undefined) && !scenarios.some((scenario) => scenario.name === 'peers')) {
    throw new UsageError('--peers-parts and --peers-scale shape the peers scenario: --scenario must include peers');
  }

  const numeric: [keyof WorkloadSettings, keyof typeof NUMERIC_RANGES][] = [
    ['clients', 'clients'],
    ['durationSeconds', 'duration'],
    ['publishRatePerSecond', 'rate'],
    ['bodyBytes', 'body-size'],
    ['burstSize', 'burst-size'],
    ['pollIntervalMs', 'poll-interval'],
    ['longPollWaitSeconds', 'longpoll-wait'],
  ];
  for (const [key, flag] of numeric) {
    const parsed = numberInRange(flag, values[flag as keyof typeof values] as string | undefined);
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
    cpuSleep: values['cpu-sleep'] === true,
    clientProcesses: numberInRange('processes', values.processes),
    peersRepeats: numberInRange('peers-repeats', values['peers-repeats']),
    peersScale,
    ...(peersParts === undefined ? {} : { peersParts }),
    outDir: values.out ?? 'results',
    conditional: values.conditional === true,
    compression,
    http: httpFor(parseHttpVersions(values.http), transports as TransportName[]),
  };
}
