// `npm run demo`: a local stand-in for AVEVA CONNECT (provider + sample API) and a web server for the examples.
//   app      http://localhost:3000  examples/, dist/, oauth4webapi, the silent page and the sample API (DEMO_APP_PORT)
//   provider http://localhost:4000  oidc-provider configured like CONNECT (DEMO_IDP_PORT)
// Plain http is fine on loopback (the SDK allows http authorities there only), and both ports are the same site
// (`localhost`), so the renew iframe's provider cookies are first-party and renewal works in every browser.
// `--check` drives headless Chromium through both examples instead (see check.ts). `--identityserver` makes the provider
// answer like CONNECT's IdentityServer (identityserver.ts): mounted at /identity, /connect/* routes, session_state,
// `#_=_` on error redirects, `iss` on successes only (Duende); `--identityserver=never` is IdentityServer4 (no `iss`).
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type Provider from 'oidc-provider';
import type { KoaContext } from 'oidc-provider';
import { ANGULAR_PAGE, angularBuilt, angularConfig, angularFile, buildAngularExample, startOtherOrigin } from './angular.js';
import { type ApiCall, sampleApi } from './api.js';
import { type IssMode, mountAt } from './identityserver.js';
import { createConnectLikeProvider, PASSWORD } from './provider.js';
import { REACT_VUE_PAGES, reactVueFile, trustedTypePolicies, wantsReactVue } from './react-vue.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The demo's client, as the examples' config.js files name it. */
export const DEMO_CLIENT_ID = 'connect-pkce-demo';
export const DEMO_TENANT_ID = 'demo-tenant';
/** The provider address written in the examples' config.js; served rewritten when the provider runs elsewhere. */
const CONFIG_AUTHORITY = 'http://localhost:4000';
/** The provider's logout page written there, served as the running provider's. */
const CONFIG_PROVIDER_LOGOUT = `${CONFIG_AUTHORITY}/session/end`;
/** Where IdentityServer is mounted on its host, as on CONNECT (`https://<region>.datahub.connect.aveva.com/identity`). */
const IDENTITY_SERVER_BASE = '/identity';

/** Pages the provider may send the browser back to: registered exactly, as CONNECT requires. */
const EXAMPLE_PAGES = ['/examples/spa/', '/examples/script-tag/', ...REACT_VUE_PAGES, ANGULAR_PAGE];
const SILENT_PAGE = '/silent-renew.html';

export interface DemoOptions {
  /** Default 3000; 0 picks a free port. */
  appPort?: number | undefined;
  /** Default 4000; 0 picks a free port. */
  idpPort?: number | undefined;
  /** Access token lifetime in seconds. Default 30: renewals show within a minute. */
  accessTokenTtl?: number;
  /** Idle sign-out of the ES-module example, served in place of its config.js's `idle`. Default: as written there. */
  idle?: { after: number; countdown: number } | undefined;
  /**
   * Answer like CONNECT's IdentityServer, mounted at `/identity`, with `iss` in authorization responses never
   * (IdentityServer4), on successes only (Duende) or always. Default: oidc-provider's own behaviour at the root.
   */
  identityServer?: IssMode | undefined;
  /** Where activity lines go (logins, renewals, API calls); default none. */
  log?: (line: string) => void;
  /**
   * Serve the Angular example's build (examples/demo/angular.ts builds it) with its config.json, and start the
   * unlisted second API origin it calls. Default false.
   */
  angular?: boolean | undefined;
}

export interface Demo {
  /** `http://localhost:<port>` of the app server. */
  origin: string;
  /** The provider's issuer and authority: `http://localhost:<port>`, with `/identity` as IdentityServer. */
  issuer: string;
  /** `http://localhost:<port>` of the provider. */
  providerOrigin: string;
  /** The provider's own logout page (a logout there, as in the CONNECT portal). */
  providerLogout: string;
  clientId: string;
  tenantId: string;
  accessTokenTtl: number;
  /** The sample API's namespaces URL for the demo tenant. */
  apiUrl: string;
  /** With `angular`: the origin that is not listed in the Angular example (it answers whether a token came). */
  otherOrigin?: string | undefined;
  close(): Promise<void>;
}

/** A start-up failure with a message meant for the person running the demo (no stack trace). */
export class DemoError extends Error {}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
};

// URL prefix -> directory, first match wins. The URLs mirror the repository, so the import map's `/dist/index.mjs`
// also works from any static server started at the repository root. examples/demo (this server) is not served.
const MOUNTS: [prefix: string, dir: string | null][] = [
  ['/examples/demo/', null],
  ['/examples/', join(REPO_ROOT, 'examples')],
  ['/dist/', join(REPO_ROOT, 'dist')],
  ['/node_modules/oauth4webapi/build/', join(REPO_ROOT, 'node_modules', 'oauth4webapi', 'build')],
];

function fileFor(path: string): string | undefined {
  // The SDK's silent page, at the app's root as an app would copy it there.
  if (path === SILENT_PAGE) return join(REPO_ROOT, 'dist', 'silent-renew.html');
  for (const [prefix, dir] of MOUNTS) {
    if (!path.startsWith(prefix)) continue;
    if (!dir) return undefined;
    const file = normalize(join(dir, path.slice(prefix.length)));
    return file.startsWith(dir + sep) || file === dir ? file : undefined;
  }
  return undefined;
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/**
 * Hashes of the inline scripts a page may run under the CSP: import maps (browsers have no external form of them)
 * and the SDK's silent page. Any other inline script stays blocked, so a page that relies on one fails visibly.
 */
function allowedInlineScripts(path: string, page: string): string[] {
  const hashes: string[] = [];
  for (const [, attrs, body] of page.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g))
    if (body && (/type=["']?importmap/.test(attrs!) || path === SILENT_PAGE)) hashes.push(sha256(body));
  return hashes;
}

/**
 * A strict CSP for every page: scripts only from this origin (no inline code, no eval), DOM sinks behind Trusted
 * Types with no policy at all (so no innerHTML), and network, frames and form posts only to this origin, the demo
 * provider and CONNECT.
 */
function contentSecurityPolicy(
  issuer: string,
  inlineHashes: string[],
  trustedTypes = "'none'",
  angular?: { apis: string[] },
): string {
  // The Angular example also calls its APIs, and has a <base href> (the built app resolves its files and routes by it).
  const apis = angular?.apis ?? [];
  // The provider's origin: a source with a path (`…/identity`) would allow that one path only.
  const providers = `${new URL(issuer).origin} https://*.datahub.connect.aveva.com`;
  return [
    "default-src 'self'",
    `script-src 'self' ${inlineHashes.join(' ')}`.trim(),
    `connect-src 'self' ${[providers, ...apis].join(' ')}`,
    `frame-src 'self' ${providers}`,
    `form-action 'self' ${providers}`,
    "object-src 'none'",
    angular ? "base-uri 'self'" : "base-uri 'none'",
    "frame-ancestors 'self'",
    "require-trusted-types-for 'script'",
    `trusted-types ${trustedTypes}`,
  ].join('; ');
}

/** Listens on loopback only; a busy port becomes a message that says which setting changes it. */
async function listen(server: Server, port: number, what: string, env: string): Promise<number> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new DemoError(`Port ${port} is already in use, so the ${what} cannot start. Stop whatever uses it, or pick another port: ${env}=${port + 1} npm run demo`);
    throw new DemoError(`The ${what} cannot listen on port ${port} (${code ?? e}). Pick another port with ${env}.`);
  }
  return (server.address() as AddressInfo).port;
}

const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    // Browsers keep connections alive; without this close() waits for their idle timeout.
    server.closeAllConnections();
  });

/** Starts the provider, the API and the example server; resolves once both listen. */
export async function startDemo(o: DemoOptions = {}): Promise<Demo> {
  const log = o.log ?? (() => {});
  const accessTokenTtl = o.accessTokenTtl ?? 30;
  type Handler = (req: IncomingMessage, res: ServerResponse) => void;
  // Until the provider exists (it needs the ports first), both answer 503.
  let appHandler: Handler = (_req, res) => void res.writeHead(503).end();
  let idpHandler: Handler = appHandler;
  const appServer = createServer((req, res) => appHandler(req, res));
  const idpServer = createServer((req, res) => idpHandler(req, res));
  const servers = [appServer, idpServer];
  try {
    // Listen first: the issuer and the redirect URIs contain the ports.
    const appPort = await listen(appServer, o.appPort ?? 3000, 'example server', 'DEMO_APP_PORT');
    const idpPort = await listen(idpServer, o.idpPort ?? 4000, 'demo provider', 'DEMO_IDP_PORT');
    const origin = `http://localhost:${appPort}`;
    const providerOrigin = `http://localhost:${idpPort}`;
    const basePath = o.identityServer ? IDENTITY_SERVER_BASE : undefined;
    const issuer = providerOrigin + (basePath ?? '');
    const providerLogout = issuer + (o.identityServer ? '/connect/endsession' : '/session/end');

    const provider = await createConnectLikeProvider({
      issuer,
      clientId: DEMO_CLIENT_ID,
      redirectUris: [...EXAMPLE_PAGES, SILENT_PAGE].map((p) => origin + p),
      postLogoutRedirectUris: EXAMPLE_PAGES.map((p) => origin + p),
      accessTokenTtl,
      // check_session_iframe and session_state, as CONNECT's IdentityServer has them: the SPA's session monitor.
      sessionManagement: true,
      logName: 'demo provider',
      basePath,
      identityServer: o.identityServer ? { iss: o.identityServer } : undefined,
    });
    watchProvider(provider, log);
    idpHandler = basePath ? mountAt(basePath, provider.callback()) : provider.callback();

    const api = sampleApi(provider, (c: ApiCall) => log(`[api] ${c.status} GET ${c.path}${c.user ? ` (${c.user})` : ''}`));
    const other = o.angular ? await startOtherOrigin() : undefined;
    if (other) servers.push(other.server);
    const angular = other && angularConfig({ origin, issuer, clientId: DEMO_CLIENT_ID, tenantId: DEMO_TENANT_ID, accessTokenTtl, other: other.origin });
    const config = { issuer, providerLogout, idle: o.idle, angular };
    appHandler = (req, res) => void serveApp(req, res, { ...config, api }).catch(() => res.headersSent || res.writeHead(500).end());

    return {
      origin,
      issuer,
      providerOrigin,
      providerLogout,
      clientId: DEMO_CLIENT_ID,
      tenantId: DEMO_TENANT_ID,
      accessTokenTtl,
      apiUrl: `${origin}/api/v1/Tenants/${DEMO_TENANT_ID}/Namespaces`,
      otherOrigin: other?.origin,
      close: async () => {
        await Promise.all(servers.map(closeServer));
      },
    };
  } catch (e) {
    await Promise.all(servers.map(closeServer));
    throw e;
  }
}

/** One line per login, silent renewal, token and logout, so the terminal tells what the page does. */
function watchProvider(provider: Provider, log: (line: string) => void) {
  provider.on('authorization.success', (ctx: KoaContext) => {
    const silent = ctx.oidc.params?.prompt === 'none';
    log(`[provider] ${silent ? 'silent renewal (prompt=none in the hidden iframe)' : 'login'}: code for ${ctx.oidc.session?.accountId}`);
  });
  provider.on('authorization.error', (ctx: KoaContext, err: { error?: string }) => {
    log(`[provider] authorization ${ctx.oidc?.params?.prompt === 'none' ? '(silent) ' : ''}failed: ${err.error ?? err}`);
  });
  provider.on('access_token.saved', (token: { accountId: string; expiration: number }) =>
    log(`[provider] access token for ${token.accountId}, valid ${token.expiration} s`),
  );
  provider.on('end_session.success', () => log('[provider] signed out'));
}

async function serveApp(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: {
    issuer: string;
    providerLogout: string;
    idle: DemoOptions['idle'];
    api: ReturnType<typeof sampleApi>;
    angular: ReturnType<typeof angularConfig> | undefined;
  },
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (await ctx.api(req, res, url.pathname)) return;

  const send = (status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}) => {
    // no-store: edits to the examples and a rebuilt dist/ show on the next reload.
    res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...headers });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'method not allowed', { Allow: 'GET, HEAD' });
  if (url.pathname === '/') return send(302, 'text/plain', '', { Location: '/examples/' });
  if (url.pathname === '/favicon.ico') return send(204, 'text/plain', '');

  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return send(400, 'text/plain', 'bad path');
  }
  const angular = ctx.angular && path.startsWith(ANGULAR_PAGE);
  if (angular && path === `${ANGULAR_PAGE}config.json`) return send(200, 'application/json', JSON.stringify(ctx.angular));
  if (angular && !angularBuilt()) return send(404, 'text/plain', 'The Angular example is not built: npm run demo -- --angular builds it');
  const app = angular ? undefined : reactVueFile(REPO_ROOT, path);
  if (app === null) return send(404, 'text/plain', `not built: run npm run demo -- --react (or --vue)`);
  let file = angular ? angularFile(path) : (app ?? fileFor(path));
  const info = file ? await stat(file).catch(() => undefined) : undefined;
  if (!file || !info) return send(404, 'text/plain', `not found: ${path}`);
  if (info.isDirectory()) {
    // Relative links in a directory's index.html need the trailing slash.
    if (!path.endsWith('/')) return send(301, 'text/plain', '', { Location: `${url.pathname}/${url.search}` });
    file = join(file, 'index.html');
  }
  const type = TYPES[extname(file)] ?? 'application/octet-stream';
  let body: Buffer | string | undefined = await readFile(file).catch(() => undefined);
  if (body === undefined) return send(404, 'text/plain', `not found: ${path}`);
  if (/^\/examples\/[^/]+\/config\.js$/.test(path)) {
    let config = body.toString().replaceAll(CONFIG_PROVIDER_LOGOUT, ctx.providerLogout).replaceAll(CONFIG_AUTHORITY, ctx.issuer);
    if (ctx.idle) config = config.replace(/^export const idle = .*$/m, `export const idle = ${JSON.stringify(ctx.idle)};`);
    body = config;
  }
  if (type.startsWith('text/html')) {
    const apis = angular && ctx.angular ? { apis: [new URL(ctx.angular.api).origin, new URL(ctx.angular.other).origin] } : undefined;
    const csp = contentSecurityPolicy(ctx.issuer, allowedInlineScripts(path, body.toString()), trustedTypePolicies(path), apis);
    return send(200, type, body, { 'Content-Security-Policy': csp });
  }
  send(200, type, body);
}

/**
 * Ctrl-C or SIGTERM runs `stop` once, then exits with `code`. Signals that follow while stopping are ignored (a
 * terminal's Ctrl-C reaches npm, tsx and node alike, and tsx relays it once more), and a stop that hangs is cut
 * short after 5 s. Returns the function that removes the handlers.
 */
export function stopOnSignal(stop: () => Promise<unknown>, code: number): () => void {
  let stopping = false;
  const handler = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(code), 5000).unref();
    void stop().finally(() => process.exit(code));
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, handler);
  return () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.off(signal, handler);
  };
}

/** A port from the environment: unset means the default, 0 means any free port. */
function envPort(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new DemoError(`${name}=${raw} is not a port number`);
  return port;
}

/** `--identityserver` (Duende: `iss` on successes), `--identityserver=never|success|always`, or none. */
function identityServerFlag(): IssMode | undefined {
  const arg = process.argv.find((a) => a === '--identityserver' || a.startsWith('--identityserver='));
  if (!arg) return undefined;
  const mode = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : 'success';
  if (mode !== 'never' && mode !== 'success' && mode !== 'always')
    throw new DemoError(`${arg}: the mode is never (IdentityServer4), success (Duende, the default) or always`);
  return mode;
}

async function main() {
  const appPort = envPort('DEMO_APP_PORT');
  const idpPort = envPort('DEMO_IDP_PORT');
  const identityServer = identityServerFlag();
  const angular = process.argv.includes('--angular');

  if (wantsReactVue(process.argv)) {
    // Loaded only here: plain `npm run demo` needs no example build.
    // @ts-expect-error: a plain .mjs script, no types
    const { buildExamples } = await import('../../scripts/build-react-vue-examples.mjs');
    buildExamples();
  }

  if (process.argv.includes('--check')) {
    // Loaded only here: plain `npm run demo` needs no browser.
    const { runCheck } = await import('./check.js');
    // Free ports unless set: the check may run while a demo is open on the default ones.
    process.exitCode = (await runCheck({ appPort: appPort ?? 0, idpPort: idpPort ?? 0, identityServer })) ? 0 : 1;
    return;
  }

  const time = () => new Date().toLocaleTimeString('en-GB');
  if (angular) {
    console.log('Building the Angular example from the packed SDK (npm pack, npm ci, ng build)…');
    const b = buildAngularExample();
    console.log(`  packed in ${b.packMs} ms, installed in ${b.installMs} ms, built in ${b.buildMs} ms`);
  }
  const demo = await startDemo({ appPort, idpPort, identityServer, angular, log: (line) => console.log(`${time()} ${line}`) });
  const shape = identityServer
    ? `answers like IdentityServer (${identityServer === 'never' ? 'IdentityServer4: no iss' : identityServer === 'success' ? 'Duende: iss on successes only' : 'iss always'})`
    : 'oidc-provider; --identityserver makes it answer like CONNECT\'s IdentityServer';
  console.log(`
connect-pkce demo
  ES module example   ${demo.origin}/examples/spa/
  script-tag example  ${demo.origin}/examples/script-tag/
  React example       ${demo.origin}/examples/react/  (built by --react)
  Vue example         ${demo.origin}/examples/vue/    (built by --vue)
  Angular example     ${angular ? `${demo.origin}${ANGULAR_PAGE}` : '(npm run demo -- --angular builds and serves it)'}
  provider            ${demo.issuer}  (client ${demo.clientId}, tenant ${demo.tenantId})
                      ${shape}
  sample API          ${demo.apiUrl}
  provider logout     ${demo.providerLogout}  (the ES module example's session monitor notices it)

Log in with any user name and the password "${PASSWORD}". Access tokens last ${demo.accessTokenTtl} s, so a silent
renewal shows within a minute. Press Ctrl-C to stop.
`);
  stopOnSignal(() => demo.close().then(() => console.log('Demo stopped.')), 0);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(e instanceof DemoError ? `demo: ${e.message}` : e);
    process.exitCode = 1;
  });
}
