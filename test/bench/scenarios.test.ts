import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, scenarioNamed, settingsFor, type WorkloadScenario } from '../../bench/scenarios/index.ts';
import { workerCount } from '../../bench/run/run-workload.ts';

function workload(name: string): WorkloadScenario {
  const scenario = scenarioNamed(name);
  if (scenario?.kind !== 'workload') throw new Error(`${name} is not a workload`);
  return scenario;
}

describe('scenarios as data', () => {
  const settings = { ...DEFAULT_SETTINGS, clients: 6 };

  it('chat: everyone subscribes to the room and publishes to it, spread over the period', () => {
    const plan = workload('chat').plan(settings, 't.');
    expect(plan.publishers).toBe(6);
    expect(new Set(plan.clients.map((client) => client.subscribe.join()))).toEqual(new Set(['room:t.chat']));
    const offsets = plan.clients.map((client) => client.publish?.offsetMs);
    expect(new Set(offsets).size).toBe(6);
  });

  it('fanout and burst: one publisher that subscribes to nothing, N subscribers', () => {
    for (const name of ['fanout', 'burst']) {
      const plan = workload(name).plan({ ...settings, burstSize: 4 }, 't.');
      expect(plan.publishers).toBe(1);
      expect(plan.clients).toHaveLength(7);
      expect(plan.clients.filter((client) => client.publish)).toHaveLength(1);
      expect(plan.clients.find((client) => client.publish)?.subscribe).toEqual([]);
    }
    expect(workload('burst').plan({ ...settings, burstSize: 4 }, 't.').clients[0].publish?.burstSize).toBe(4);
  });

  it('direct: pairs write to each other inboxes and read their own', () => {
    const plan = workload('direct').plan(settings, 't.');
    expect(plan.clients).toHaveLength(6);
    for (const client of plan.clients) {
      expect(client.subscribe).toEqual([`user:${client.name}`]);
      const peer = client.publish?.topics[0].slice('user:'.length);
      expect(plan.clients.find((other) => other.name === peer)?.publish?.topics).toEqual([`user:${client.name}`]);
    }
  });

  it('idle: nobody publishes', () => {
    expect(workload('idle').plan(settings, 't.').publishers).toBe(0);
  });

  it('layers flags over scenario defaults over the global defaults', () => {
    expect(settingsFor(workload('fanout'), false, {}).publishRatePerSecond).toBe(10);
    expect(settingsFor(workload('fanout'), false, { publishRatePerSecond: 2 }).publishRatePerSecond).toBe(2);
    expect(settingsFor(workload('idle'), true, {}).longPollWaitSeconds).toBe(3);
    expect(settingsFor(workload('chat'), true, {}).clients).toBeLessThan(DEFAULT_SETTINGS.clients);
  });

  it('spreads 10,000 clients over enough workers to stay under the descriptor limit', () => {
    const plan = workload('fanout').plan({ ...settings, clients: 10_000 }, 't.');
    expect(workerCount(plan.clients, ['ws'], undefined)).toBe(2);
    expect(workerCount({ ...plan, clients: [...plan.clients, ...plan.clients] }.clients, ['sse', 'ws'], undefined)).toBe(3);
    expect(workerCount(plan.clients.slice(0, 10), ['poll'], 3)).toBe(3);
  });
});
