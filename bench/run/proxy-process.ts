/** Starts a delay proxy child (proxy-child.ts) and waits for its address. */
import type { NetworkConfig } from '../schema.ts';
import { forkTs } from './child-processes.ts';
import { PROXY_ENTRY } from './paths.ts';
import { stopChild } from './server-process.ts';

const START_TIMEOUT_MS = 20_000;

export interface ProxyProcess {
  url: string;
  stop(): Promise<void>;
}

export function startProxyProcess(target: URL, network: NetworkConfig, pin: boolean): Promise<ProxyProcess> {
  const { child, tail } = forkTs(PROXY_ENTRY, 'proxy', pin);
  return new Promise<ProxyProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the delay proxy did not start within ${START_TIMEOUT_MS / 1000} s\n${tail.text()}`));
    }, START_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the delay proxy exited (code ${code})\n${tail.text()}`));
    });
    child.once('message', (answer: { url?: string; error?: string }) => {
      clearTimeout(timer);
      if (!answer.url) return reject(new Error(`the delay proxy failed: ${answer.error ?? 'no address'}`));
      resolve({ url: answer.url, stop: () => stopChild(child, 2000) });
    });
    child.send({
      targetHost: target.hostname,
      targetPort: Number(target.port),
      oneWayDelayMs: network.rttMs / 2,
      ...(network.bandwidthBytesPerSecond ? { bandwidthBytesPerSecond: network.bandwidthBytesPerSecond } : {}),
    });
  });
}
