import { afterEach, beforeEach, type MockInstance, vi } from 'vitest';
import { type AuthClient, type AuthClientOptions, type AuthEventName, createAuthClient, type LoginOptions } from '../../../src/index.js';
import { SILENT_MESSAGE } from '../../../src/silent-frame.js';
import {
  blockFrameNavigation,
  captureFormSubmit,
  captureNavigation,
  lastNavigation,
  postFrom,
  resetBrowser,
  setAddress,
  markAnswered,
  waitForSilentFrame,
} from './browser.js';
import {
  APP_ORIGIN,
  type AuthorizeOptions,
  CLIENT_ID,
  FakeProvider,
  ISSUER,
  POST_LOGOUT_REDIRECT_URI,
  REDIRECT_URI,
  SILENT_REDIRECT_URI,
} from './fake-provider.js';

/** Where the SDK keeps this app's session, and its pending logins, for the default options. */
export const SESSION_KEY = `cpk:${CLIENT_ID}@${ISSUER}/#openid`;
export const TX_KEY = `${SESSION_KEY}:tx`;
export const DISCOVERY_KEY = `cpk.as:${ISSUER}/`;

/** The options most tests use: one tab (no BroadcastChannel), no probe, the fake provider, the app on localhost:3000. */
export const baseOptions = (o: Partial<AuthClientOptions> = {}): AuthClientOptions => ({
  authority: ISSUER,
  clientId: CLIENT_ID,
  redirectUri: REDIRECT_URI,
  silentRedirectUri: SILENT_REDIRECT_URI,
  postLogoutRedirectUri: POST_LOGOUT_REDIRECT_URI,
  shareAcrossTabs: false,
  // The probe after a login opens an iframe of its own; the tests of silentRenewal turn it on.
  detectSilentRenewal: false,
  ...o,
});

/** A pending login as the SDK stored it (sessionStorage, keyed by state). */
export interface StoredTransaction {
  verifier: string;
  nonce: string;
  redirectUri: string;
  returnTo?: string;
  createdAt: number;
}

export const pendingTransactions = (): Record<string, StoredTransaction> =>
  JSON.parse(sessionStorage.getItem(TX_KEY) ?? '{}');

export interface World {
  provider: FakeProvider;
  nav: MockInstance<(url: string | URL) => void>;
  /** `HTMLFormElement.prototype.submit`, recorded (the logout form POST). */
  submit: MockInstance<() => void>;
  /** Creates a client that is disposed after the test. */
  client(o?: Partial<AuthClientOptions>): AuthClient;
  /** Calls `login()` and returns the authorization URL it navigated to. */
  startLogin(client: AuthClient, o?: LoginOptions): Promise<URL>;
  /** The callback URL for a login just started: the provider's answer, as the browser would land on it. */
  callbackFor(authorizationUrl: URL, o?: AuthorizeOptions): string;
  /** A complete interactive login: login, the provider's answer in the address bar, handleRedirectCallback. */
  signIn(client: AuthClient, o?: LoginOptions): Promise<Awaited<ReturnType<AuthClient['handleRedirectCallback']>>>;
  /** Answers the SDK's hidden iframe the way the shipped silent page does: a postMessage of its URL. */
  answerSilentFrame(o?: AuthorizeOptions): Promise<URL>;
  /** Records the events a client emits. */
  record(client: AuthClient, ...names: AuthEventName[]): { name: AuthEventName; value: unknown }[];
}

/**
 * Registers the per-test setup every client test needs: a clean page, the fake provider in place of fetch,
 * captured navigations, happy-dom iframes that do not hit the network, and disposal of every client afterwards.
 */
export function useWorld(): World {
  const clients: AuthClient[] = [];
  let restoreFrames: () => void = () => {};
  const w = {
    client(o) {
      const c = createAuthClient(baseOptions(o));
      clients.push(c);
      return c;
    },
    async startLogin(client, o) {
      const before = w.nav.mock.calls.length;
      await client.login(o);
      if (w.nav.mock.calls.length !== before + 1) throw new Error('login() did not navigate');
      return lastNavigation(w.nav);
    },
    callbackFor(url, o) {
      return w.provider.authorize(url, o);
    },
    async signIn(client, o) {
      const url = await w.startLogin(client, o);
      setAddress(w.callbackFor(url));
      return client.handleRedirectCallback();
    },
    async answerSilentFrame(o) {
      const frame = await waitForSilentFrame();
      markAnswered(frame);
      const callback = w.provider.authorize(frame.src, o);
      postFrom(frame.contentWindow, APP_ORIGIN, { type: SILENT_MESSAGE, url: callback });
      return new URL(frame.src);
    },
    record(client, ...names) {
      const seen: { name: AuthEventName; value: unknown }[] = [];
      for (const name of names) client.on(name, (value) => seen.push({ name, value }));
      return seen;
    },
  } as World;

  beforeEach(() => {
    resetBrowser();
    w.provider = new FakeProvider().install();
    w.nav = captureNavigation();
    w.submit = captureFormSubmit();
    restoreFrames = blockFrameNavigation();
  });

  afterEach(() => {
    for (const c of clients.splice(0)) c.dispose();
    restoreFrames();
    vi.useRealTimers();
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
    resetBrowser();
  });

  return w;
}
