import type { Page } from 'playwright-core';
import { type AppServer, type AppServerOptions, startAppServer } from './app-server.js';
import { type BrowserOptions, launchBrowser, type TestBrowser } from './browser.js';
import { fillLogin } from './login.js';
import { type ProviderHandle, type ProviderOptions, startProvider } from './provider.js';

/** A provider, an app server and a browser wired together, with the SDK's client options in `/config.js`. */
export interface World {
  app: AppServer;
  idp: ProviderHandle;
  browser: TestBrowser;
  /** The client options every app page gets (`window.E2E_CONFIG.client`). */
  client: Record<string, unknown>;
  /** Sets client options for pages loaded from now on. */
  configure(overrides: Record<string, unknown>): void;
  /** Opens an app page (`app.html` by default) and waits until the SDK booted. */
  open(path?: string, page?: Page): Promise<Page>;
  /** Logs in through the provider's form from an app page; resolves once the callback was handled. */
  login(page: Page, user?: string): Promise<void>;
  /** Between tests: closes every page, forgets cookies and the provider's request log, restores the config. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export interface WorldOptions extends Omit<ProviderOptions, 'redirectUris' | 'postLogoutRedirectUris'>, BrowserOptions {
  appServer?: AppServerOptions;
  client?: Record<string, unknown>;
}

/** The pages the SDK may be sent back to; all registered exactly, as CONNECT requires. */
const REDIRECT_PAGES = ['/app.html', '/app-iife.html', '/app-csp.html', '/silent-renew.html', '/silent-renew-csp.html', '/never.html'];

/** The provider and the app server of a world, with no browser: the cross-engine suite brings its own. */
export interface Servers {
  app: AppServer;
  idp: ProviderHandle;
  /** The client options every app page gets (`window.E2E_CONFIG.client`). */
  client: Record<string, unknown>;
  /** Sets client options for pages loaded from now on. */
  configure(overrides: Record<string, unknown>): void;
  close(): Promise<void>;
}

export async function startServers(o: Omit<WorldOptions, keyof BrowserOptions> = {}): Promise<Servers> {
  const app = await startAppServer(o.appServer);
  const idp = await startProvider({
    ...o,
    redirectUris: REDIRECT_PAGES.map((p) => app.origin + p),
    postLogoutRedirectUris: [`${app.origin}/blank.html`],
  });
  const base = {
    authority: idp.authority,
    ...(idp.issuer === idp.authority ? {} : { issuer: idp.issuer }),
    clientId: idp.clientId,
    redirectUri: `${app.origin}/app.html`,
    silentRedirectUri: `${app.origin}/silent-renew.html`,
    postLogoutRedirectUri: `${app.origin}/blank.html`,
    scope: 'openid profile ocsapi',
    tenantId: 't-123',
    // The probe after a login is one more authorization request; the suites that test it turn it on.
    detectSilentRenewal: false,
    ...o.client,
  };
  const servers: Servers = {
    app,
    idp,
    client: base,
    configure(overrides) {
      servers.client = { ...base, ...overrides };
      app.setConfig({ client: servers.client });
    },
    close: async () => {
      await Promise.all([idp.close(), app.close()]);
    },
  };
  servers.configure({});
  return servers;
}

export async function startWorld(o: WorldOptions = {}): Promise<World> {
  const [servers, browser] = await Promise.all([startServers(o), launchBrowser(o)]);
  const { app, idp } = servers;
  const world: World = {
    app,
    idp,
    browser,
    get client() {
      return servers.client;
    },
    configure: (overrides) => servers.configure(overrides),
    async open(path = '/app.html', page) {
      const p = page ?? (await browser.newPage());
      await p.goto(app.origin + path);
      await p.waitForSelector('body[data-ready="1"]', { state: 'attached' });
      return p;
    },
    async login(page, user = 'alice') {
      await Promise.all([page.waitForURL((u) => u.hostname === 'idp.test'), page.evaluate(() => window.auth.login())]);
      await fillLogin(page, user);
      await page.waitForSelector('body[data-ready="1"]', { state: 'attached' });
    },
    async reset() {
      for (const p of browser.context.pages()) await p.close();
      await browser.context.clearCookies();
      idp.reset();
      world.configure({});
    },
    async close() {
      await Promise.all([browser.close(), servers.close()]);
    },
  };
  return world;
}
