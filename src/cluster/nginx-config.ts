import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Renders the nginx config the project ships (deploy/nginx/) for one cluster:
 * the templates are used as written, only the {{NAME}} placeholders are filled,
 * so what the tests run is what a reader finds in deploy/.
 */

/** `tuned`: what each transport needs; `defaults`: the teaching variant at nginx's defaults. */
export type NginxVariant = 'tuned' | 'defaults';

export const NGINX_TEMPLATES: Record<NginxVariant, string> = {
  tuned: fileURLToPath(new URL('../../deploy/nginx/transport-lab.conf.template', import.meta.url)),
  defaults: fileURLToPath(new URL('../../deploy/nginx/nginx-defaults.conf.template', import.meta.url)),
};

export interface HostPort {
  host: string;
  port: number;
}

export interface NginxConfigInput {
  variant: NginxVariant;
  /** The scratch folder nginx runs in (pid, logs, temp files). */
  prefix: string;
  listen: HostPort;
  upstreams: HostPort[];
  /**
   * Run as root (CI does): workers would switch to an unprivileged user that
   * cannot write the scratch folder, so they stay root, on 127.0.0.1 only.
   */
  asRoot: boolean;
  /**
   * The sticky variant (the template's commented `hash $remote_addr consistent`):
   * each client address pinned to one node. For a peer that needs it (Socket.IO's
   * long polling, bench/peers/sticky); ours runs round-robin.
   */
  sticky?: boolean;
}

export const STICKY_BALANCE = 'hash $remote_addr consistent;';

function hostPort({ host, port }: HostPort): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export function renderNginxConfig(input: NginxConfigInput): string {
  if (input.upstreams.length === 0) throw new Error('an nginx cluster needs at least one upstream node');
  if (/[\s;{}'"]/.test(input.prefix)) throw new Error(`the nginx prefix must not contain spaces, quotes, braces or ";": ${input.prefix}`);
  const values: Record<string, string> = {
    PREFIX: input.prefix,
    LISTEN: hostPort(input.listen),
    UPSTREAMS: input.upstreams.map((upstream) => `    server ${hostPort(upstream)};`).join('\n'),
    // The live lab's routes go to the first node (see the template's comment).
    LAB_NODE: `    server ${hostPort(input.upstreams[0])};`,
    BALANCE: input.sticky ? `    ${STICKY_BALANCE}` : '    # (round-robin: nginx\'s default)',
    USER: input.asRoot ? 'user root root;' : '# (not root: nginx keeps the current user)',
  };
  const template = readFileSync(NGINX_TEMPLATES[input.variant], 'utf8');
  const rendered = template.replace(/\{\{([A-Z_]+)\}\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`unknown placeholder ${whole} in ${NGINX_TEMPLATES[input.variant]}`);
    return value;
  });
  return rendered;
}
