import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, createSession, eventually, startServer, TestSocket } from './helpers.ts';

afterEach(closeAll);

describe('WebSocket replay', () => {
  it('a replay much larger than wsMaxBufferedBytes reaches a reading client whole: the catch-up waits for it, no slow_consumer', async () => {
    const server = await startServer({ wsMaxBufferedBytes: 64 * 1024 });
    const alice = await createSession(server, 'alice');
    const body = 'x'.repeat(8_000);
    for (let i = 0; i < 600; i++) await server.bus.publish({ topic: 'room:big', from: 'alice', body });
    const socket = await TestSocket.open(server, alice);
    let closed = false;
    socket.ws.on('close', () => (closed = true));
    socket.send({ op: 'subscribe', topics: ['room:big'], backlog: 1000, ref: 'a' });
    const count = (): number => socket.frames.filter((frame) => frame.op === 'message').length;
    await eventually(() => ({ count: count(), closed }), (state) => state.count === 600 || state.closed, 20_000);
    expect(closed).toBe(false);
    expect(count()).toBe(600);
  });
});
