// The benchmark's own wiring of the e2e harness (test/e2e/support): the same provider, app server and Chromium,
// with the benchmark pages for both libraries mounted and registered as redirect URIs. The servers run on their own
// thread (servers-thread.ts).
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from '../test/e2e/support/app-server.js';
import { launchBrowser, type TestBrowser } from '../test/e2e/support/browser.js';
import { fillLogin } from '../test/e2e/support/login.js';
import { startServersThread, type ThreadServers } from './servers-thread.js';

export const BUILD_DIR = join(REPO_ROOT, 'bench', '.build');
/** The run's copy of dist/ (see snapshotDist): served as /dist/ and bundled as `connect-pkce`. */
export const DIST_SNAPSHOT = join(BUILD_DIR, 'dist');

/**
 * Copies the freshly built dist/ aside, so one run measures one build even if dist/ is rebuilt meanwhile
 * (other work in the same tree runs `npm run build` too).
 */
export async function snapshotDist(): Promise<void> {
  await rm(DIST_SNAPSHOT, { recursive: true, force: true });
  await cp(join(REPO_ROOT, 'dist'), DIST_SNAPSHOT, { recursive: true });
}

export type Lib = 'ours' | 'theirs';
export const LIBS: Lib[] = ['ours', 'theirs'];

/** Paths on the app origin. */
export const PAGES = {
  ours: '/bench/ours.html',
  oursSilent: '/silent-renew.html',
  theirs: '/bench/theirs.html',
  theirsSilent: '/bench/gen/theirs-silent.html',
} as const;

export interface BenchServers {
  /** `https://app.test:<port>`: the app server (test/e2e/support/app-server.ts). */
  origin: string;
  /** The provider (test/e2e/support/provider.ts). */
  idp: { issuer: string; clientId: string; requests: ThreadServers['requests'] };
  /** The app server's requests served so far, by URL path. */
  counts: ThreadServers['counts'];
  /** The redirect_uri each library's silent renew uses: tells their provider-log entries apart. */
  silentUri: Record<Lib, string>;
  /** Turns automatic renewal on or off for pages loaded from now on. */
  setAutomaticRenew(on: boolean): Promise<void>;
  close(): Promise<void>;
}

export interface BenchWorld extends BenchServers {
  browser: TestBrowser;
  /** Opens a library's app page and waits until it booted. */
  open(lib: Lib, page?: Page): Promise<Page>;
  /** Logs in from an open app page: through the provider's form the first time, straight back afterwards. */
  login(lib: Lib, page: Page): Promise<void>;
  close(): Promise<void>;
}

export interface BenchWorldOptions {
  accessTokenTtl: number;
  /** connect-pkce renewBeforeExpiry and oidc-client-ts accessTokenExpiringNotificationTimeInSeconds, s. */
  renewLead: number;
  automaticSilentRenew: boolean;
  /** A tab without a session gets one silently on load (the multi-tab runs). */
  ssoOnLoad?: boolean;
}

/** The app server and the provider (on their own thread), configured for both libraries' pages. */
export async function startBenchServers(o: BenchWorldOptions): Promise<BenchServers> {
  await mkdir(join(BUILD_DIR, 'pages'), { recursive: true });
  const t = await startServersThread({
    accessTokenTtl: o.accessTokenTtl,
    redirectPaths: Object.values(PAGES),
    mounts: [
      ['/dist/', DIST_SNAPSHOT],
      ['/bench/gen/', join(BUILD_DIR, 'pages')],
      ['/bench/', join(REPO_ROOT, 'bench', 'pages')],
      ['/vendor/oidc-client-ts/', join(REPO_ROOT, 'node_modules', 'oidc-client-ts', 'dist', 'browser')],
    ],
  });
  const url = (p: string) => t.appOrigin + p;
  const ours = {
    authority: t.issuer,
    clientId: t.clientId,
    redirectUri: url(PAGES.ours),
    silentRedirectUri: url(PAGES.oursSilent),
    scope: 'openid profile',
    renewBeforeExpiry: o.renewLead,
  };
  const theirs = {
    authority: t.issuer,
    client_id: t.clientId,
    redirect_uri: url(PAGES.theirs),
    silent_redirect_uri: url(PAGES.theirsSilent),
    scope: 'openid profile',
    accessTokenExpiringNotificationTimeInSeconds: o.renewLead,
  };
  const configure = (automaticSilentRenew: boolean) =>
    t.setConfig({
      ours: { ...ours, automaticSilentRenew },
      theirs: { ...theirs, automaticSilentRenew },
      ssoOnLoad: !!o.ssoOnLoad,
    });
  await configure(o.automaticSilentRenew);
  // oidc-client-ts's documented silent page: the library plus signinSilentCallback(), settings inline.
  const settings = { authority: theirs.authority, client_id: theirs.client_id, redirect_uri: theirs.redirect_uri };
  await writeFile(
    join(BUILD_DIR, 'pages', 'theirs-silent.html'),
    `<!doctype html><meta charset="utf-8"><title>oidc-client-ts silent renew</title>
<script src="/vendor/oidc-client-ts/oidc-client-ts.min.js"></script>
<script>new oidc.UserManager(${JSON.stringify(settings)}).signinSilentCallback();</script>
`,
  );
  return {
    origin: t.appOrigin,
    idp: { issuer: t.issuer, clientId: t.clientId, requests: t.requests },
    counts: t.counts,
    silentUri: { ours: url(PAGES.oursSilent), theirs: url(PAGES.theirsSilent) },
    setAutomaticRenew: configure,
    close: t.close,
  };
}

/** The servers plus Chromium (test/e2e/support/browser.ts), with helpers to open and log in app pages. */
export async function startBenchWorld(o: BenchWorldOptions): Promise<BenchWorld> {
  const [servers, browser] = await Promise.all([startBenchServers(o), launchBrowser()]);
  const url = (p: string) => servers.origin + p;
  let loggedIn = false;
  const world: BenchWorld = {
    ...servers,
    browser,
    async open(lib, page) {
      const p = page ?? (await browser.newPage());
      await p.goto(url(PAGES[lib]));
      await p.waitForSelector('body[data-ready="1"]', { state: 'attached' });
      return p;
    },
    async login(lib, page) {
      const back = (u: URL) => u.hostname === 'app.test' && u.searchParams.has('code');
      if (!loggedIn) {
        await Promise.all([page.waitForURL((u) => u.hostname === 'idp.test'), page.evaluate(() => void window.bench.login())]);
        await fillLogin(page);
        loggedIn = true;
      } else {
        await Promise.all([page.waitForURL(back), page.evaluate(() => void window.bench.login())]);
      }
      await page.waitForSelector('body[data-ready="1"]', { state: 'attached' });
      const error = await page.evaluate(() => window.bench.error);
      if (error) throw new Error(`${lib} login failed: ${error}`);
    },
    close: () => Promise.all([browser.close(), servers.close()]).then(() => undefined),
  };
  return world;
}
