/**
 * The one wait helper of the test suites: polls a state until it holds, so a
 * test waits on what it asserts, never on a sleep. It fails naming what it
 * waited for and the last value it saw.
 *
 * Two call shapes, one loop:
 * - `eventually(() => inbox.length >= 3, 'three messages')` waits for a condition;
 * - `eventually(() => server.stats(), (s) => s.held === 0)` returns the value that passed.
 */
export function eventually(condition: () => boolean | Promise<boolean>, what: string, timeoutMs?: number): Promise<true>;
export function eventually<T>(read: () => T | Promise<T>, check: (value: T) => boolean, timeoutMs?: number): Promise<T>;
export async function eventually<T>(
  read: () => T | Promise<T>,
  checkOrWhat: ((value: T) => boolean) | string,
  timeoutMs = 5_000,
): Promise<T> {
  const check = typeof checkOrWhat === 'function' ? checkOrWhat : (value: T) => value === true;
  const what = typeof checkOrWhat === 'string' ? checkOrWhat : 'the condition';
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value ${describe(value)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

/** Short enough that a wait adds little to a test, long enough not to spin a core. */
const POLL_INTERVAL_MS = 10;

function describe(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.slice(0, 500);
  } catch {
    return String(value);
  }
}
