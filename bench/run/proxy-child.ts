/**
 * A delay proxy in a process of its own (one per client worker): it holds two
 * descriptors per proxied connection, so it must not share the orchestrator's
 * descriptor budget, nor its CPU. Sends `{ url }` when listening; exits when
 * its parent goes away.
 */
import { startDelayProxy } from '../../src/net/delay-proxy.ts';

interface ProxyRequest {
  targetHost: string;
  targetPort: number;
  oneWayDelayMs: number;
  bandwidthBytesPerSecond?: number;
}

process.once('message', (request: ProxyRequest) => {
  startDelayProxy(request)
    .then((proxy) => {
      process.send?.({ url: proxy.url });
      process.on('disconnect', () => {
        void proxy.close().finally(() => process.exit(0));
        setTimeout(() => process.exit(0), 1000).unref();
      });
    })
    .catch((error: Error) => {
      process.send?.({ error: error.message });
      process.exit(1);
    });
});
process.on('SIGINT', () => undefined); // the orchestrator decides when we stop
// Messages sent before this process listened could be lost: say when it does.
process.send?.({ hello: true });
