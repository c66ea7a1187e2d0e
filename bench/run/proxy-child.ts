/**
 * A delay proxy in a process of its own (one per client worker): it holds two
 * descriptors per proxied connection, so it must not share the orchestrator's
 * descriptor budget, nor its CPU. Sends `{ url }` when listening; answers
 * `{ drain: id }` with `{ drained: id }` once no byte is inside its delay
 * lines; exits when its parent goes away.
 */
import { startDelayProxy } from '../../src/net/delay-proxy.ts';
import { drainWaitMs, type DrainState } from './proxy-drain.ts';

interface ProxyRequest {
  targetHost: string;
  targetPort: number;
  oneWayDelayMs: number;
  bandwidthBytesPerSecond?: number;
}

const state: DrainState = { lastChunkMs: -Infinity, bytesSinceQuiet: 0 };

function startProxy(request: ProxyRequest): void {
  startDelayProxy({
    ...request,
    onChunk: (_connection, _direction, chunk) => {
      const now = performance.now();
      if (now - state.lastChunkMs > request.oneWayDelayMs) state.bytesSinceQuiet = 0;
      state.lastChunkMs = now;
      state.bytesSinceQuiet += chunk.length;
    },
  })
    .then((proxy) => {
      process.send?.({ url: proxy.url });
      process.on('message', (message: { drain?: number }) => {
        if (message.drain === undefined) return;
        const answer = (): void => {
          const wait = drainWaitMs(state, performance.now(), request);
          if (wait <= 0) process.send?.({ drained: message.drain });
          else setTimeout(answer, wait);
        };
        answer();
      });
      process.on('disconnect', () => {
        void proxy.close().finally(() => process.exit(0));
        setTimeout(() => process.exit(0), 1000).unref();
      });
    })
    .catch((error: Error) => {
      process.send?.({ error: error.message });
      process.exit(1);
    });
}

process.once('message', startProxy);
process.on('SIGINT', () => undefined); // the orchestrator decides when we stop
// Messages sent before this process listened could be lost: say when it does.
process.send?.({ hello: true });
