/** `npm run bench -- --help` */
import { HEADER_PROFILE_NAMES } from '../headers/index.ts';
import { NUMERIC_RANGES, PEERS_PART_NAMES, PEERS_SCALES } from './args.ts';
import { NETWORK_FLAG_HELP } from './network-flags.ts';
import { TRANSPORT_NAMES } from '../../src/protocol/index.ts';
import { DEFAULT_SCENARIOS, DEFAULT_SETTINGS, NETWORK_NAMES, QUICK_SCENARIOS, QUICK_SETTINGS, SCENARIOS } from '../scenarios/index.ts';

/** "--clients 1–50,000, --duration 0.5–3,600 s, …": every numeric flag's range. */
function rangesText(): string {
  return Object.entries(NUMERIC_RANGES)
    .map(([flag, range]) => {
      const unit = 'unit' in range ? ` ${range.unit}` : '';
      return `--${flag}${flag === 'network' ? ' <n>ms' : ''} ${range.min.toLocaleString('en-US')}–${range.max.toLocaleString('en-US')}${unit}`;
    })
    .join(', ');
}

export function helpText(): string {
  const scenarios = SCENARIOS.map((scenario) => `  ${scenario.name.padEnd(13)} ${scenario.description}`).join('\n');
  return `Usage: npm run bench -- [options]

Runs simulated clients through every transport (short poll, long poll, SSE,
WebSocket) against a fresh server process, measures latency, deliveries,
requests, wire bytes and server cost, prints a summary and writes
results/<run-id>.json, results/<run-id>.html and results/latest.json.

Scenarios:
${scenarios}

Options:
  --scenario <a,b>      scenarios to run (default: ${DEFAULT_SCENARIOS.join(',')})
  --transports <a,b>    transports to compare (default: ${TRANSPORT_NAMES.join(',')})
  --clients <n>         simulated clients per scenario (default ${DEFAULT_SETTINGS.clients})
  --rate <n>            messages per second per publisher (bursts per second for burst; default ${DEFAULT_SETTINGS.publishRatePerSecond}, fanout 10)
  --duration <s>        seconds of the measured phase per transport (default ${DEFAULT_SETTINGS.durationSeconds})
  --body-size <bytes>   message body size (default ${DEFAULT_SETTINGS.bodyBytes})
  --body <kind>         what bodies hold: filler (a time stamp padded with x) or chat (chat-like words and
                        JSON-ish user fields, seeded by --seed); default filler, chat with --compression
  --burst-size <k>      messages per burst in the burst scenario (default 10)
  --poll-interval <ms>  short-poll interval T (default ${DEFAULT_SETTINGS.pollIntervalMs})
  --longpoll-wait <s>   long-poll hold time (default ${DEFAULT_SETTINGS.longPollWaitSeconds}; idle uses 3 unless given)
  --network <profile>   ${NETWORK_NAMES.join(', ')}, or a round trip such as 50ms (default ${DEFAULT_SETTINGS.network.name})
${NETWORK_FLAG_HELP.map(([flag, text]) => `  ${flag.padEnd(21)} ${text}`).join('\n')}
  --headers <profile>   HTTP header profile: ${HEADER_PROFILE_NAMES.join(', ')} (default ${DEFAULT_SETTINGS.headers})
  --processes <n>       client worker processes (default: as few as the descriptor limit allows)
  --out <dir>           where results go (default results/)
  --quick               ${QUICK_SCENARIOS.join(' and ')} only, ${QUICK_SETTINGS.clients} clients, ${QUICK_SETTINGS.durationSeconds} s each: under a minute
  --pin                 pin the server and the clients to different cores with taskset
  --cpu-sleep           let idle CPUs sleep while measuring (default: held awake through /dev/cpu_dma_latency
                        where the bench may write it, as latency tools do: a wake-up on a VM costs ~0.35 ms)
  --peers-repeats <n>   interleaved repeats of each peers pair, 1–20 (default 3)
  --peers-parts <a,b>   only these parts of the peers scenario: ${PEERS_PART_NAMES.join(', ')}
                        (default: all; throughput, fanout and memory name several)
  --peers-scale <s>     ${PEERS_SCALES.join(' or ')}: limit runs the peers memory parts at the process's descriptor limit
                        (19,000 idle ws/sse connections, 15,000 held long polls; quiet machine)
  --conditional         also measure short polling with If-None-Match / 304 (poll-conditional), next to poll
  --compression <c>     none (default), on or deflate: the server compresses (--ws-deflate --gzip) and each
                        transport runs again with clients that accept it (a compressed row next to the plain one),
                        over every --http version asked for; bodies are chat-like unless --body filler
  --http <v>            1.1 (default), 2, 2-tls, or a list (1.1,2): poll, longpoll and sse over HTTP/1.1, cleartext h2
                        and/or h2 over TLS (one h2 session per client; ws stays on HTTP/1.1), with HPACK header
                        bytes per request
  -h, --help            show this help

Numbers outside their range are refused (exit 2): ${rangesText()}.
Ctrl-C or SIGTERM stops the run and writes what was measured, marked incomplete
(an incomplete run does not become results/latest.json).

Examples:
  npm run bench -- --quick
  npm run bench -- --scenario fanout --clients 1000 --transports sse,ws
  npm run bench -- --scenario chat --network mobile --headers browser-cookies
  npm run bench -- --scenario chat --network mobile-3g --quick
  npm run bench -- --scenario chat --network broadband --jitter 20 --stall-rate 6 --seed 7
  npm run bench -- --scenario idle,chat --transports poll --conditional
  npm run bench -- --scenario chat --quick --compression on --body-size 2000
  npm run bench -- --scenario cluster           # in-memory vs Redis vs 2 nodes behind nginx (needs nginx, redis-server)
  npm run bench -- --scenario peers --quick --peers-parts poll,publish,held --peers-repeats 5
`;
}
