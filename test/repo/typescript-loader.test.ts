import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { TYPESCRIPT_NODE_FLAGS } from '../../src/typescript-loader.ts';

const run = promisify(execFile);

/**
 * scripts/ts-loader.mjs, which every process of the lab runs under: it
 * compiles TypeScript without esbuild's keepNames, so a closure we make keeps
 * V8's fast properties (tsx's `__name` redefines its name: ~250 bytes and a
 * defineProperty call per closure), V8 still names it, JSON imports load,
 * and a stack trace points into the .ts file.
 */
describe('the TypeScript loader of our processes', () => {
  it('compiles without keepNames, keeps names, loads JSON and maps stack traces to the source', { timeout: 30_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lab-loader-'));
    try {
      await writeFile(join(dir, 'data.json'), '{"answer":42}');
      await writeFile(join(dir, 'probe.ts'), [
        "import data from './data.json' with { type: 'json' };",
        'class Meter { readonly onFinish = (): void => { this.count += 1; }; count = 0; constructor(private readonly label: string) {} }',
        "const meter = new Meter('m');",
        '// eslint-disable-next-line no-eval',
        "const fast: boolean = eval('%HasFastProperties(meter.onFinish)');",
        "console.log(JSON.stringify({ fast, name: meter.onFinish.name, label: (meter as unknown as { label: string }).label, answer: data.answer, stack: new Error('here').stack?.split('\\n')[1] }));",
      ].join('\n'));
      const { stdout, stderr } = await run(process.execPath, ['--allow-natives-syntax', ...TYPESCRIPT_NODE_FLAGS, join(dir, 'probe.ts')]);
      const probe = JSON.parse(stdout) as { fast: boolean; name: string; label: string; answer: number; stack: string };
      expect(probe).toMatchObject({ fast: true, name: 'onFinish', label: 'm', answer: 42 });
      expect(probe.stack).toContain(`${join(dir, 'probe.ts')}:6`);
      expect(stderr).toBe('');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
