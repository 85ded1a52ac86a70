import { readFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testCert } from './certs.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface AppServerOptions {
  /** Extra response headers (e.g. a CSP) for every response, or per request path. */
  headers?: Record<string, string> | ((path: string) => Record<string, string>);
  /** More URL prefix -> directory mounts, checked before the built-in ones (e.g. the benchmark's pages). */
  mounts?: [prefix: string, dir: string][];
}

export interface AppServer {
  /** `https://app.test:<port>` */
  origin: string;
  port: number;
  /** Requests served so far, by URL path (no query). */
  counts: Map<string, number>;
  /** What `/config.js` exposes as `window.E2E_CONFIG` from now on. */
  setConfig(cfg: object): void;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
};

// URL prefix -> directory. First match wins, so the catch-all pages dir comes last.
const MOUNTS: [prefix: string, dir: string][] = [
  ['/dist/', join(REPO_ROOT, 'dist')],
  ['/node_modules/oauth4webapi/', join(REPO_ROOT, 'node_modules', 'oauth4webapi')],
  ['/', join(REPO_ROOT, 'test', 'e2e', 'pages')],
];

// The SDK's silent-renew pages, hosted at the app root as a real app would copy them there
// (the CSP variant loads silent-renew.js relative to itself).
const ROOT_DIST_FILES = new Set(['/silent-renew.html', '/silent-renew-csp.html', '/silent-renew.js']);

// Loads, never answers: lets tests drive the SDK's silent-renew timeout.
const HANG_PAGE = '<!doctype html><meta charset="utf-8"><title>hang</title><p>This page never posts a message.</p>';

/** Map a URL path to a file inside one of the mounts, refusing `..` escapes. */
function resolveFile(path: string, extra: [prefix: string, dir: string][] = []): string | undefined {
  if (ROOT_DIST_FILES.has(path)) return join(REPO_ROOT, 'dist', path.slice(1));
  for (const [prefix, dir] of [...extra, ...MOUNTS]) {
    if (!path.startsWith(prefix)) continue;
    const rel = path.slice(prefix.length) || 'index.html';
    const file = normalize(join(dir, rel));
    return file.startsWith(dir + sep) ? file : undefined;
  }
  return undefined;
}

export async function startAppServer(opts: AppServerOptions = {}): Promise<AppServer> {
  const { key, cert } = await testCert();
  const counts = new Map<string, number>();
  let config: object = {};

  const server = createServer({ key, cert }, async (req, res) => {
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'https://app.test').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    counts.set(path, (counts.get(path) ?? 0) + 1);

    const extra = typeof opts.headers === 'function' ? opts.headers(path) : (opts.headers ?? {});
    // no-store everywhere: each test rebuilds dist/ or changes config, never serve stale copies.
    const send = (status: number, type: string, body: string | Buffer) => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...extra });
      res.end(req.method === 'HEAD' ? undefined : body);
    };

    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'method not allowed');
    if (path === '/config.js') return send(200, TYPES['.js']!, `window.E2E_CONFIG = ${JSON.stringify(config)};\n`);
    if (path === '/hang.html') return send(200, TYPES['.html']!, HANG_PAGE);
    // Never answers at all (not even headers): a silent page that never loads, so nothing can read its URL.
    if (path === '/never.html') return;

    const file = resolveFile(path, opts.mounts);
    if (!file) return send(404, 'text/plain', 'not found');
    try {
      send(200, TYPES[extname(file)] ?? 'application/octet-stream', await readFile(file));
    } catch {
      send(404, 'text/plain', `not found: ${path}`);
    }
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    origin: `https://app.test:${port}`,
    port,
    counts,
    setConfig: (cfg) => {
      config = cfg;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
