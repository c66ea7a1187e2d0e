/**
 * The node flags that run one of our TypeScript files in a process of its own
 * (server, cluster node, bench child, reference server, load generator): our
 * loader, scripts/ts-loader.mjs, which compiles like tsx but without its
 * `keepNames` (see there: it cost every closure we make ~250 bytes and a
 * defineProperty call).
 */
export const TYPESCRIPT_NODE_FLAGS: readonly string[] = Object.freeze(['--import', new URL('../scripts/ts-loader.mjs', import.meta.url).href]);
