import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import type { ServerOptions } from '../config.ts';

/**
 * Whose request is this: the client's address for the per-address limits and
 * the lab's loopback instructor (issue 10). Behind a reverse proxy every
 * socket comes from the proxy, so every client would share its address and one
 * busy client would spend everyone's quota. With `trustProxy` on, a request
 * whose socket comes from a trusted proxy (`trustedProxies`, loopback by
 * default) is counted by the address the proxy forwarded; any other request by
 * its socket's address, whatever headers it carries — so a client that
 * reaches the node directly cannot choose an address by sending one.
 */

/** `trustedProxies`' name for 127.0.0.0/8 and ::1 (where `npm run cluster` puts nginx). */
export const LOOPBACK = 'loopback';

/** 127.0.0.1 as an IPv4-mapped IPv6 address is 127.0.0.1: one address, one form. */
function unmapped(address: string): string {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}

/**
 * The trusted proxies' list, from `loopback`, addresses and CIDR ranges
 * (`10.0.0.0/8`, `fd00::/8`); throws naming the option on anything else.
 */
export function trustedProxyList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    if (entry === LOOPBACK) {
      list.addSubnet('127.0.0.0', 8, 'ipv4');
      list.addAddress('::1', 'ipv6');
      continue;
    }
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const prefix = Number(bits);
    if (family === 0 || extra !== undefined || (bits !== undefined && (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)))) {
      throw new Error(`option trustedProxies: "${entry}" is not "loopback", an IP address or an address/prefix range`);
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address as string, type);
    else list.addSubnet(address as string, prefix, type);
  }
  return list;
}

export class ClientAddresses {
  /** null: trustProxy off, no header is read. */
  readonly #trusted: BlockList | null;

  constructor(options: Pick<ServerOptions, 'trustProxy' | 'trustedProxies'>) {
    this.#trusted = options.trustProxy ? trustedProxyList(options.trustedProxies) : null;
  }

  /** True when trustProxy is on and `address` is one of the trusted proxies. */
  isTrustedProxy(address: string | undefined): boolean {
    if (!this.#trusted || !address) return false;
    const bare = unmapped(address);
    const family = isIP(bare);
    return family !== 0 && this.#trusted.check(bare, family === 4 ? 'ipv4' : 'ipv6');
  }

  /**
   * The client's address: the socket's, unless the socket is a trusted proxy's.
   * Then X-Forwarded-For read from the right (each proxy appends the address it
   * saw), skipping trusted proxies — the first address not trusted is the
   * client, and what a client wrote to the left of it is not believed — else
   * X-Real-IP, else the socket's.
   */
  of(req: IncomingMessage): string | undefined {
    const peer = req.socket?.remoteAddress;
    if (!this.isTrustedProxy(peer)) return peer;
    const forwarded = headerText(req.headers['x-forwarded-for']);
    if (forwarded) {
      let nearest = peer;
      const hops = forwarded.split(',');
      for (let i = hops.length - 1; i >= 0; i -= 1) {
        const hop = (hops[i] as string).trim();
        // A hop that is not an address: stop at the last one a trusted proxy vouched for.
        if (isIP(unmapped(hop)) === 0) return nearest;
        if (!this.isTrustedProxy(hop)) return hop;
        nearest = hop;
      }
      return nearest;
    }
    const real = headerText(req.headers['x-real-ip'])?.trim();
    return real && isIP(unmapped(real)) !== 0 ? real : peer;
  }
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}
