import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NGINX_TEMPLATES, STICKY_BALANCE, renderNginxConfig, type NginxVariant } from '../../src/cluster/nginx-config.ts';

/**
 * The shipped templates render to a complete config (no nginx needed: what
 * nginx makes of it is tested by the other files here, against the real one).
 */
const input = {
  prefix: '/tmp/transport-lab-nginx-abc',
  listen: { host: '127.0.0.1', port: 8080 },
  upstreams: [{ host: '127.0.0.1', port: 3001 }, { host: '::1', port: 3002 }],
  asRoot: false,
};

describe('the nginx config', () => {
  for (const variant of ['tuned', 'defaults'] as NginxVariant[]) {
    it(`${variant}: every placeholder is filled, one server line per node, no sticky directive`, () => {
      const config = renderNginxConfig({ ...input, variant });
      expect(config).not.toMatch(/\{\{/);
      expect(config).toContain('listen 127.0.0.1:8080;');
      const nodes = config.split('upstream transport_lab_nodes {')[1].split('}')[0];
      expect(nodes.match(/server \S+;/g)).toEqual(['server 127.0.0.1:3001;', 'server [::1]:3002;']);
      // The live lab's routes (its state is per node) go to the first node only.
      const instrument = config.split('upstream transport_lab_instrument {')[1].split('}')[0];
      expect(instrument.match(/server \S+;/g)).toEqual(['server 127.0.0.1:3001;']);
      expect(config.split('location /api/lab/ {')[1].split('}')[0]).toContain('proxy_pass http://transport_lab_instrument;');
      expect(config).not.toMatch(/^\s*(ip_hash|hash|sticky)\b/m);
      expect(config).toContain('pid /tmp/transport-lab-nginx-abc/nginx.pid;');
      expect(config).not.toMatch(/^\s*user /m);
    });
  }

  it('the shipped config gives each transport what it needs', () => {
    const config = renderNginxConfig({ ...input, variant: 'tuned' });
    const location = (path: string): string => config.split(`location = ${path} {`)[1].split('}')[0];
    for (const held of ['/api/longpoll', '/api/events']) {
      expect(location(held)).toContain('proxy_buffering off;');
      // Above the 60 s long-poll maximum and the 30 s ping, with margin.
      expect(location(held)).toContain('proxy_read_timeout 75s;');
    }
    expect(location('/ws')).toContain('proxy_set_header Upgrade $http_upgrade;');
    expect(location('/ws')).toContain('proxy_set_header Connection $connection_upgrade;');
    expect(location('/ws')).toContain('proxy_set_header Host $http_host;');
    expect(config).toContain('proxy_http_version 1.1;');
    expect(config).toMatch(/keepalive \d+;/);
  });

  it('the teaching variant leaves buffering and timeouts at nginx\'s defaults', () => {
    const config = renderNginxConfig({ ...input, variant: 'defaults' }).replace(/#.*$/gm, '');
    expect(config).not.toMatch(/proxy_buffering|proxy_read_timeout|keepalive \d/);
    expect(config).toContain('proxy_ignore_headers X-Accel-Buffering;');
  });

  it('the sticky variant (for the Socket.IO peer only) hashes the whole client address, before keepalive', () => {
    const nodes = renderNginxConfig({ ...input, variant: 'tuned', sticky: true }).split('upstream transport_lab_nodes {')[1].split('}')[0];
    const directives = nodes.split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
    // nginx wants the balancing method above keepalive.
    expect(directives.slice(-2)).toEqual([STICKY_BALANCE, 'keepalive 64;']);
    expect(STICKY_BALANCE).toBe('hash $remote_addr consistent;');
  });

  it('forwards the client\'s address (X-Real-IP overwritten, X-Forwarded-For appended), also on /ws', () => {
    for (const variant of ['tuned', 'defaults'] as NginxVariant[]) {
      const config = renderNginxConfig({ ...input, variant });
      for (const where of [config.split('location')[0], config.split('location = /ws {')[1].split('}')[0]]) {
        expect(where).toContain('proxy_set_header X-Real-IP $remote_addr;');
        expect(where).toContain('proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;');
      }
    }
  });

  it('as root, the workers stay root (they must write the scratch folder)', () => {
    expect(renderNginxConfig({ ...input, variant: 'tuned', asRoot: true })).toMatch(/^user root root;$/m);
  });

  it('refuses a prefix nginx would misread', () => {
    expect(() => renderNginxConfig({ ...input, variant: 'tuned', prefix: '/tmp/a b' })).toThrow(/prefix/);
  });

  it('every line of the shipped config that is a directive has a comment saying why, above it or in its block', () => {
    const lines = readFileSync(NGINX_TEMPLATES.tuned, 'utf8').split('\n');
    // Walk up over the directives of its group (and its block's opening line) to the comment that explains them.
    const explained = (i: number): boolean => {
      for (let j = i - 1; j >= 0; j -= 1) {
        const above = lines[j].trim();
        if (above.startsWith('#')) return true;
        if (above === '' || above === '}') return false;
      }
      return false;
    };
    const uncommented = lines.filter((line, i) =>
      /^(proxy_|keepalive|worker_processes|daemon|client_max_body_size|add_header)/.test(line.trim()) && !explained(i));
    expect(uncommented).toEqual([]);
    expect(lines.length).toBeGreaterThan(50);
  });
});
