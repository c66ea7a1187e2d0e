import { describe, expect, it } from 'vitest';
import { DEFAULT_FAULTS_SETTINGS, runFaults } from '../../bench/faults/run-faults.ts';
import { TRANSPORT_NAMES } from '../../src/protocol/index.ts';

/**
 * The faults scenario end to end, small: three readers per transport through
 * a cut, a silent drop and a server restart (stalls off, so that the counts
 * are exact). Every transport must lose nothing and deliver nothing twice.
 *
 * One run per transport, the four at once: each has its own server, proxy and
 * room, and spends its time waiting out phases and heartbeats, so running
 * them side by side takes the time of the slowest instead of the sum.
 */
describe('faults scenario', () => {
  for (const transport of TRANSPORT_NAMES) {
    it.concurrent(`${transport} recovers from a cut, a silent drop and a restart with nothing lost or duplicated`, { timeout: 180_000 }, async () => {
      const result = await runFaults([transport], { ...DEFAULT_FAULTS_SETTINGS, readers: 3, phaseSeconds: 0.5, stallsPerMinute: 0 });
      expect(result.transports.map((t) => t.transport)).toEqual([transport]);
      for (const t of result.transports) {
        expect(t.errors, t.transport).toEqual([]);
        expect(t.faults.map((f) => f.fault), t.transport).toEqual(['cut', 'silent-drop', 'restart']);
        for (const fault of t.faults) expect(fault.unrecovered, `${t.transport} ${fault.fault}`).toBe(0);
        expect(t.delivery.sent, t.transport).toBeGreaterThan(0);
        expect(t.delivery.lost, t.transport).toBe(0);
        expect(t.delivery.duplicated, t.transport).toBe(0);
        expect(t.delivery.delivered + t.delivery.gapped, t.transport).toBe(t.delivery.expected);
        // Whether a reader noticed depends on what it had in flight (a short poll between requests, a stream
        // reopened just after the drop); that a heartbeat notices is the behaviour suite's silent-drop case.
        for (const fault of t.faults) {
          expect(fault.noticeMs.count, `${t.transport} ${fault.fault}`).toBe(fault.noticed);
          expect(fault.reconnectMs.count, `${t.transport} ${fault.fault}`).toBe(fault.noticed);
        }
      }
    });
  }
});
