/**
 * How every process of the lab runs TypeScript: `node --import ./scripts/ts-loader.mjs file.ts`.
 *
 * Not tsx, which it replaces for what we run and measure: tsx compiles with
 * esbuild's `keepNames`, which wraps every named function expression in a call
 * that redefines its `name`. Each such closure then carries a dictionary of
 * properties (about 250 bytes on the heap) and costs a defineProperty call each
 * time it is made — on every request, answer and connection, in our code and
 * never in the reference servers' libraries (issue 12). V8 names these
 * functions by itself; the stack traces stay readable through source maps.
 */
import { register } from 'node:module';
import process from 'node:process';

process.setSourceMapsEnabled(true);
register('./ts-loader-hooks.mjs', import.meta.url);
