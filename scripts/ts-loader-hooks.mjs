/**
 * The module hooks of ts-loader.mjs (they run on node's loader thread). A
 * `.ts` file is compiled by esbuild, as tsx does, but without `keepNames`; a
 * JSON import becomes a module of its own, so that node's experimental JSON
 * modules (and their warning) are not needed. Everything else is node's.
 */
import { readFile } from 'node:fs/promises';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

const TYPESCRIPT = /\.m?ts$/;

/** The tsconfig's semantics that change emitted code; everything else in tsconfig.json is for tsc. */
const COMPILE = {
  loader: 'ts',
  format: 'esm',
  target: `node${process.versions.node}`,
  sourcemap: 'inline',
  keepNames: false,
  tsconfigRaw: { compilerOptions: { useDefineForClassFields: true, verbatimModuleSyntax: true } },
};

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:')) return nextLoad(url, context);
  const path = fileURLToPath(url);
  if (TYPESCRIPT.test(path)) {
    const { code } = await transform(await readFile(path, 'utf8'), { ...COMPILE, sourcefile: path });
    return { format: 'module', source: code, shortCircuit: true };
  }
  if (path.endsWith('.json') && context.importAttributes?.type === 'json') {
    const text = await readFile(path, 'utf8');
    JSON.parse(text);
    return { format: 'module', source: `export default ${text};`, shortCircuit: true };
  }
  return nextLoad(url, context);
}
