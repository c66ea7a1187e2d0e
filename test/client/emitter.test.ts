import { afterEach, describe, expect, it, vi } from 'vitest';
import { TypedEmitter } from '../../src/client/emitter.ts';

interface Events {
  count: (n: number) => void;
  pair: (a: string, b: boolean) => void;
}

describe('TypedEmitter', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('calls every listener of an event with its arguments, in order of adding', () => {
    const emitter = new TypedEmitter<Events>();
    const seen: string[] = [];
    emitter.on('pair', (a, b) => seen.push(`first ${a} ${b}`));
    emitter.on('pair', (a, b) => seen.push(`second ${a} ${b}`));
    emitter.on('count', (n) => seen.push(`count ${n}`));
    emitter.emit('pair', 'x', true);
    expect(seen).toEqual(['first x true', 'second x true']);
  });

  it('returns a function that removes the listener', () => {
    const emitter = new TypedEmitter<Events>();
    const seen: number[] = [];
    const off = emitter.on('count', (n) => seen.push(n));
    emitter.emit('count', 1);
    off();
    emitter.emit('count', 2);
    expect(seen).toEqual([1]);
    expect(emitter.listenerCount('count')).toBe(0);
  });

  it('lets a listener remove itself while the event is being emitted', () => {
    const emitter = new TypedEmitter<Events>();
    const seen: string[] = [];
    const off = emitter.on('count', () => {
      seen.push('once');
      off();
    });
    emitter.on('count', () => seen.push('always'));
    emitter.emit('count', 1);
    emitter.emit('count', 2);
    expect(seen).toEqual(['once', 'always', 'always']);
  });

  it('keeps calling the other listeners when one throws, and re-throws on a fresh stack', async () => {
    const emitter = new TypedEmitter<Events>();
    const thrown: unknown[] = [];
    const original = globalThis.queueMicrotask;
    vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((task) => {
      original(() => {
        try {
          task();
        } catch (error) {
          thrown.push(error);
        }
      });
    });
    const seen: number[] = [];
    emitter.on('count', () => {
      throw new Error('listener bug');
    });
    emitter.on('count', (n) => seen.push(n));
    expect(() => emitter.emit('count', 7)).not.toThrow();
    expect(seen).toEqual([7]);
    await Promise.resolve();
    await Promise.resolve();
    expect(thrown).toHaveLength(1);
    expect((thrown[0] as Error).message).toBe('listener bug');
  });

  it('forgets every listener on removeAll()', () => {
    const emitter = new TypedEmitter<Events>();
    const seen: number[] = [];
    emitter.on('count', (n) => seen.push(n));
    emitter.removeAll();
    emitter.emit('count', 1);
    expect(seen).toEqual([]);
  });
});
