/**
 * The peers' HTTP publisher waits while the other contenders run their rounds,
 * often for longer than a server's keep-alive timeout. A round that starts on
 * a connection the server has closed meanwhile reconnects first: before, every
 * publish of it went nowhere and the whole SSE fan-out table of a full-size
 * run read "not acknowledged (timed out)".
 */
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { HttpPublisherRole } from '../../bench/peers/load/http-publisher.ts';
import type { WorkerReport } from '../../bench/peers/load/messages.ts';
import { eventually } from '../wait.ts';

describe('the peers HTTP publisher', () => {
  it('reconnects for a round after the server closed its idle keep-alive connection', async () => {
    let connections = 0;
    let closed = 0;
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(201, { 'Content-Type': 'application/json' });
        res.end('{"topic":"room:t","seq":1}');
      });
    });
    server.keepAliveTimeout = 100;
    server.on('connection', (socket) => {
      connections += 1;
      socket.on('close', () => (closed += 1));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const reports: WorkerReport[] = [];
    const publisher = new HttpPublisherRole({ role: 'http-publisher', host: '127.0.0.1', port, token: 't', topic: 'room:t' }, (report) => reports.push(report));
    try {
      await publisher.start([]);
      expect(reports[0]).toMatchObject({ type: 'ready', opened: 1 });
      const round = (n: number): void => publisher.handle({ type: 'publish', round: n, count: 5, window: 2, ratePerSecond: null, bodyBytes: 20, idPrefix: `r${n}` });

      round(1);
      await eventually(() => reports.some((report) => report.type === 'published' && report.round === 1), 'round 1 answered');
      // Idle past the server's keep-alive timeout: the server closes the connection.
      await eventually(() => closed === 1, 'the server closing the idle connection');

      round(2);
      await eventually(() => reports.some((report) => report.type === 'published' && report.round === 2), 'round 2 answered');
      const second = reports.find((report) => report.type === 'published' && report.round === 2);
      expect(second).toMatchObject({ sent: 5, acked: 5, failed: 0 });
      expect(second).not.toHaveProperty('error');
      expect(connections).toBe(2);
    } finally {
      publisher.close();
      server.closeAllConnections();
      server.close();
    }
  });
});
