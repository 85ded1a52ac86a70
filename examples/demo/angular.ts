// The Angular example in the demo (`npm run demo -- --angular`, and test/e2e/angular.e2e.ts): built as a customer
// builds it, with the SDK installed from the packed tarball and the Angular CLI, then served from its build under
// /examples/angular/ with a config.json made for the running demo, and a second API origin that is not listed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Where the example lives, is served, and is built to. */
export const ANGULAR_DIR = join(REPO_ROOT, 'examples', 'angular');
export const ANGULAR_PAGE = '/examples/angular/';
const BUILD = join(ANGULAR_DIR, 'dist', 'example', 'browser');
/** The packed SDK, as `npm pack` writes it (inside the repository: nothing is cached outside it). */
const PACK_DIR = join(REPO_ROOT, '.tmp', 'angular');

/** How long each stage of the last build took, ms, for the person (or test) that asked for it. */
export interface AngularBuild {
  packMs: number;
  installMs: number;
  buildMs: number;
  /** What `ng build` printed (it prerenders `/`: the server-side render of the root). */
  output: string;
}

const timed = (fn: () => string) => {
  const t = Date.now();
  const out = fn();
  return [Date.now() - t, out] as const;
};

/** Runs a command; a failure throws with what it printed. */
function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: 'pipe', env: { ...process.env, NG_CLI_ANALYTICS: 'false' } });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

/**
 * Packs the SDK (dist/ must be built), installs the example's locked dependencies (`npm ci`, only when its
 * node_modules is missing or older than its lock) and the tarball, as `npm install connect-pkce` would, and builds
 * it with the Angular CLI, which also renders `/` on the server.
 */
export function buildAngularExample(): AngularBuild {
  mkdirSync(PACK_DIR, { recursive: true });
  // dist/ is already built: the prepack script would build it a second time.
  const [packMs, packed] = timed(() => run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', PACK_DIR], REPO_ROOT));
  const tarball = join(PACK_DIR, packed.trim().split('\n').at(-1) ?? '');
  const installed = join(ANGULAR_DIR, 'node_modules', '.package-lock.json');
  const fresh = existsSync(installed) && statSync(installed).mtimeMs >= statSync(join(ANGULAR_DIR, 'package-lock.json')).mtimeMs;
  const [installMs] = timed(() => {
    const quiet = ['--no-audit', '--no-fund', '--prefer-offline'];
    if (!fresh) run('npm', ['ci', ...quiet], ANGULAR_DIR);
    return run('npm', ['install', '--no-save', ...quiet, tarball], ANGULAR_DIR);
  });
  const [buildMs, output] = timed(() => run('npx', ['--no-install', 'ng', 'build'], ANGULAR_DIR));
  return { packMs, installMs, buildMs, output };
}

/** Whether the example has been built (`npm run demo -- --angular` builds it). */
export const angularBuilt = (): boolean => existsSync(join(BUILD, 'index.html'));

/** The build's files: the prerendered root, a file of the build, or the client-rendered page for any route. */
export function angularFile(path: string): string | undefined {
  const rel = path.slice(ANGULAR_PAGE.length);
  const file = normalize(join(BUILD, rel));
  if (!file.startsWith(BUILD + sep) && file !== BUILD) return undefined;
  if (rel === '') return join(BUILD, 'index.html');
  return existsSync(file) && statSync(file).isFile() ? file : join(BUILD, 'index.csr.html');
}

/** The main script of the build: each page load of the app fetches it once. */
export const angularMainScript = (): string => readdirSync(BUILD).find((f) => /^main-.*\.js$/.test(f)) ?? 'main.js';

/**
 * An API on an origin the example does not list: it answers whether a bearer token reached it, and lets any page
 * read that (CORS), so the example can show that the interceptor sent none.
 */
export async function startOtherOrigin(): Promise<{ origin: string; server: Server }> {
  const server = createServer((req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify({ authorization: !!req.headers.authorization }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** The example's config.json for the running demo: the API on the app server's other name, which is listed. */
export function angularConfig(d: { origin: string; issuer: string; clientId: string; tenantId: string; accessTokenTtl: number; other: string }) {
  const page = d.origin + ANGULAR_PAGE;
  const apiOrigin = d.origin.replace('//localhost:', '//127.0.0.1:');
  return {
    authority: d.issuer,
    clientId: d.clientId,
    tenantId: d.tenantId,
    redirectUri: page,
    silentRedirectUri: `${d.origin}/silent-renew.html`,
    postLogoutRedirectUri: page,
    // Renewals well before expiry, as in the other examples (10 s of the demo's 30 s tokens).
    renewBeforeExpiry: Math.min(10, Math.floor(d.accessTokenTtl / 2)),
    api: `${apiOrigin}/api/v1/Tenants/${d.tenantId}/Namespaces`,
    other: `${d.other}/echo`,
  };
}
