/**
 * Storage that fails: Web Storage disabled (the `window.sessionStorage`/`localStorage` getter throws SecurityError),
 * full (QuotaExceededError on every write), Safari's former private mode (an empty store that refuses writes),
 * missing, or refusing every call; corrupt, truncated and unknown stored data; custom stores that reject or throw.
 * What the app relies on: the SDK keeps working in memory, warns once, never crashes, and never takes a half-written
 * or unknown value for a session.
 *
 * The "Web Storage is unavailable" warning is once per page (a module-level flag in the SDK). Tests that count it
 * load a fresh copy of the SDK (`vi.resetModules()` + dynamic import: a new page), so that earlier tests of this
 * file cannot have used the warning up.
 */
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { type AuthClient, type AuthClientOptions, createAuthClient, type SessionStore } from '../../src/index.js';
import {
  failingStore,
  quotaStorage,
  refusingStorage,
  replaceStorage,
  securityError,
  settle,
  trackUnhandledRejections,
} from './support/faults.js';
import { baseOptions, SESSION_KEY, TX_KEY, useWorld } from './support/world.js';

const w = useWorld();

/** Undoes every storage replacement of a test; runs before useWorld's cleanup (which clears Web Storage). */
const restores: (() => void)[] = [];
/** Clients made from fresh copies of the SDK (the world disposes only its own). */
const pageClients: AuthClient[] = [];
const unhandled = trackUnhandledRejections();
let warn: MockInstance<typeof console.warn>;

beforeEach(() => {
  unhandled.reasons.length = 0;
  unhandled.start();
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
});

afterEach(async () => {
  for (const c of pageClients.splice(0)) c.dispose();
  for (const restore of restores.splice(0).reverse()) restore();
  await settle();
  unhandled.stop();
  expect(unhandled.reasons, 'unhandled rejections').toEqual([]);
});

/** A new page: a fresh copy of the SDK, whose once-per-page warning has not been given yet. */
async function newPage() {
  vi.resetModules();
  const sdk = await import('../../src/index.js');
  return (o: Partial<AuthClientOptions> = {}) => {
    const c = sdk.createAuthClient(baseOptions(o));
    pageClients.push(c);
    return c;
  };
}

const realStorage = () => ({ session: sessionStorage, local: localStorage });

/** Replaces a Web Storage for the rest of the test. */
function breakStorage(name: 'sessionStorage' | 'localStorage', get: () => unknown) {
  restores.push(replaceStorage(name, get));
}

const throwsOnAccess = () => {
  throw securityError();
};

interface Breakage {
  name: string;
  storage: 'session' | 'local';
  apply(real: { session: Storage; local: Storage }): void;
}

const breakages: Breakage[] = [
  {
    name: 'sessionStorage disabled (reading window.sessionStorage throws SecurityError)',
    storage: 'session',
    apply: () => breakStorage('sessionStorage', throwsOnAccess),
  },
  {
    name: "localStorage disabled, with storage: 'local'",
    storage: 'local',
    apply: () => breakStorage('localStorage', throwsOnAccess),
  },
  {
    name: "both disabled, with storage: 'local'",
    storage: 'local',
    apply: () => {
      breakStorage('sessionStorage', throwsOnAccess);
      breakStorage('localStorage', throwsOnAccess);
    },
  },
  {
    name: 'sessionStorage full (every setItem throws QuotaExceededError)',
    storage: 'session',
    apply: (real) => {
      const full = quotaStorage(real.session);
      breakStorage('sessionStorage', () => full);
    },
  },
  {
    name: "private mode (empty stores that refuse every write), with storage: 'local'",
    storage: 'local',
    apply: (real) => {
      const session = quotaStorage(real.session);
      const local = quotaStorage(real.local);
      breakStorage('sessionStorage', () => session);
      breakStorage('localStorage', () => local);
    },
  },
  {
    name: 'sessionStorage missing (null)',
    storage: 'session',
    apply: () => breakStorage('sessionStorage', () => null),
  },
  {
    name: "a localStorage object whose every call throws, with storage: 'local'",
    storage: 'local',
    apply: () => {
      const refusing = refusingStorage();
      breakStorage('localStorage', () => refusing);
    },
  },
];

/**
 * A working day in one page: login and callback, getAccessToken, a renewal in the hidden iframe, a second client
 * (a component that creates its own), logout, another login with a refresh token, and a renewal through it.
 */
async function workingDay(client: (o?: Partial<AuthClientOptions>) => AuthClient, storage: AuthClientOptions['storage']) {
  const app = client({ storage, automaticSilentRenew: false });
  const { session } = await w.signIn(app);
  expect(session.accessToken).toBe(w.provider.issuedAccessTokens.at(-1));
  expect(await app.isAuthenticated()).toBe(true);
  expect(await app.getAccessToken()).toBe(session.accessToken);

  const renewing = app.renew();
  await w.answerSilentFrame();
  const renewed = await renewing;
  expect(renewed.accessToken).toBe(w.provider.issuedAccessTokens.at(-1));
  expect(renewed.accessToken).not.toBe(session.accessToken);
  expect(await app.getAccessToken()).toBe(renewed.accessToken);
  expect(await app.getSession()).toMatchObject({ accessToken: renewed.accessToken });

  const other = client({ storage, automaticSilentRenew: false });
  await other.getSession();
  await other.login();

  await app.logout();
  expect(await app.getSession()).toBeNull();
  expect(await app.isAuthenticated()).toBe(false);

  w.provider.issueRefreshTokens = true;
  const again = await w.signIn(app);
  const refreshed = await app.renew();
  expect(w.provider.tokenRequests.at(-1)?.body?.get('grant_type')).toBe('refresh_token');
  expect(refreshed.accessToken).not.toBe(again.session.accessToken);
  expect(await app.getAccessToken()).toBe(refreshed.accessToken);
}

describe('Web Storage that fails', () => {
  it.each(breakages)('$name: works in memory, with exactly one warning', async (b) => {
    const client = await newPage();
    b.apply(realStorage());
    await workingDay(client, b.storage);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/storage failed, keeping the session in memory/);
  });

  it('gives no warning when Web Storage works (the control for the tests above)', async () => {
    const client = await newPage();
    await workingDay(client, 'session');
    expect(warn).not.toHaveBeenCalled();
  });

  it('keeps the session out of a storage that refused it: once in memory, reads never go back to it', async () => {
    const client = await newPage();
    const full = quotaStorage(sessionStorage);
    breakStorage('sessionStorage', () => full);
    const app = client();
    const { session } = await w.signIn(app);
    // Storage has room again: the SDK stays in memory, so it cannot read a stale value from there.
    full.full = false;
    full.setItem(SESSION_KEY, JSON.stringify({ ...session, accessToken: 'stale', receivedAt: Date.now() }));
    expect(await app.getAccessToken()).toBe(session.accessToken);
  });

  // A limit of any redirect login, not a bug: without Web Storage the pending login (PKCE verifier, state) lives
  // in the page's memory, which the redirect to the provider ends. The callback page then fails cleanly.
  it('cannot finish a login across the redirect without Web Storage: the callback page fails with state_mismatch', async () => {
    const before = await newPage();
    breakStorage('sessionStorage', throwsOnAccess);
    const url = await w.startLogin(before());
    const after = await newPage();
    const callbackPage = after();
    await expect(callbackPage.handleRedirectCallback(w.callbackFor(url))).rejects.toMatchObject({
      name: 'AuthError',
      code: 'state_mismatch',
    });
    expect(await callbackPage.getSession()).toBeNull();
    expect(w.provider.tokenRequests).toHaveLength(0);
  });

  for (const kind of ['local', 'session'] as const)
    it(`after a write failed (quota), logout still removes the session from ${kind}Storage: a reload is signed out`, async () => {
      w.provider.issueRefreshTokens = true;
      const app = w.client({ storage: kind, automaticSilentRenew: false });
      const { session } = await w.signIn(app);
      const real = realStorage()[kind];
      const full = quotaStorage(real);
      breakStorage(`${kind}Storage`, () => full);
      await app.renew();
      await app.logout();
      expect(await app.getSession()).toBeNull();
      full.full = false;
      // A reload.
      const reloaded = createAuthClient(baseOptions({ storage: kind, automaticSilentRenew: false }));
      pageClients.push(reloaded);
      const after = await reloaded.getSession();
      expect(after?.accessToken, 'the session of before the logout is back').not.toBe(session.accessToken);
      expect(after).toBeNull();
    });
});

describe('stored data that is corrupt, truncated or of another format', () => {
  it.each(['session', 'local'] as const)('reads a session cut off at any length as no session (%sStorage)', async (kind) => {
    const { session } = await w.signIn(w.client({ storage: kind }));
    const storage = realStorage()[kind];
    const whole = storage.getItem(SESSION_KEY)!;
    expect(JSON.parse(whole).accessToken).toBe(session.accessToken);
    for (let n = 0; n < whole.length; n++) {
      storage.setItem(SESSION_KEY, whole.slice(0, n));
      const reloaded = createAuthClient(baseOptions({ storage: kind, automaticSilentRenew: false }));
      const read = await reloaded.getSession();
      const authenticated = await reloaded.isAuthenticated();
      reloaded.dispose();
      if (read !== null || authenticated) expect.fail(`a session cut off after ${n} characters was read`);
    }
    // The whole value reads back (the loop above could not pass for a reason that reads nothing at all).
    storage.setItem(SESSION_KEY, whole);
    expect(await w.client({ storage: kind }).getSession()).toEqual(session);
  });

  const future = () => Date.now() + 3_600_000;
  it.each([
    ['null', () => 'null'],
    ['an array', () => '[]'],
    ['a JSON string', () => '"access-token"'],
    ['a number', () => '42'],
    ['an empty object', () => '{}'],
    ['an older snake_case format', () => JSON.stringify({ access_token: 'old', token_type: 'Bearer', expires_at: future() })],
    ['a format without receivedAt', () => JSON.stringify({ accessToken: 'old', tokenType: 'bearer', expiresAt: future() })],
    ['expiresAt as a date string', () => JSON.stringify({ accessToken: 'old', expiresAt: new Date(future()).toISOString(), receivedAt: Date.now() })],
    ['a token that is not a string', () => JSON.stringify({ accessToken: { value: 'old' }, expiresAt: future(), receivedAt: Date.now() })],
    ['a wrapped, versioned format', () => JSON.stringify({ v: 2, session: { accessToken: 'old', expiresAt: future(), receivedAt: Date.now() } })],
    ['not JSON at all', () => 'access-token'],
  ])('reads %s as no session, and a login replaces it', async (_name, value) => {
    sessionStorage.setItem(SESSION_KEY, value());
    const client = w.client({ automaticSilentRenew: false });
    expect(await client.getSession()).toBeNull();
    expect(await client.isAuthenticated()).toBe(false);
    const { session } = await w.signIn(client);
    expect(JSON.parse(sessionStorage.getItem(SESSION_KEY)!)).toMatchObject({ accessToken: session.accessToken });
  });

  it('fails a callback cleanly when the pending-login entry is cut off, and the next login works', async () => {
    const client = w.client();
    const url = await w.startLogin(client);
    const whole = sessionStorage.getItem(TX_KEY)!;
    sessionStorage.setItem(TX_KEY, whole.slice(0, whole.length - 5));
    await expect(client.handleRedirectCallback(w.callbackFor(url))).rejects.toMatchObject({ code: 'state_mismatch' });
    expect(await client.getSession()).toBeNull();
    const { session } = await w.signIn(client);
    expect(session.accessToken).toBe(w.provider.issuedAccessTokens.at(-1));
  });

  for (const [name, raw] of [
    ['an array', '[]'],
    ['a string', '"x"'],
    ['a number', '42'],
    ['a boolean', 'true'],
  ])
    it(`a pending-login entry holding ${name} (${raw}) does not break login`, async () => {
      sessionStorage.setItem(TX_KEY, raw!);
      const client = w.client();
      const { session } = await w.signIn(client);
      expect(session.accessToken).toBe(w.provider.issuedAccessTokens.at(-1));
    });
});

describe('a custom store that fails', () => {
  it.each(['reject', 'throw'] as const)(
    'whose every method %ss: login, getAccessToken and renew work in memory, and nothing crashes',
    async (how) => {
      const store = failingStore(how);
      const app = w.client({ storage: store, automaticSilentRenew: false });
      expect(await app.getSession()).toBeNull();
      const { session } = await w.signIn(app);
      expect(await app.getAccessToken()).toBe(session.accessToken);
      const renewing = app.renew();
      await w.answerSilentFrame();
      const renewed = await renewing;
      expect(await app.getAccessToken()).toBe(renewed.accessToken);
      expect(store.calls).toEqual(expect.arrayContaining(['get', 'set']));
    },
  );

  it('that rejects: logout still signs out, here and at the provider', async () => {
    const app = w.client({ storage: failingStore('reject'), automaticSilentRenew: false });
    await w.signIn(app);
    const events = w.record(app, 'logout');
    await app.logout();
    expect(await app.getSession()).toBeNull();
    expect(events).toHaveLength(1);
    expect(w.submit).toHaveBeenCalledTimes(1);
  });

  it('a custom store whose remove() throws synchronously: logout() still resolves, emits logout and ends the provider session', async () => {
    const memory = new Map<string, string>();
    const store: SessionStore = {
      get: (k) => memory.get(k),
      set: (k, v) => void memory.set(k, v),
      remove: () => {
        throw securityError();
      },
    };
    const app = w.client({ storage: store, automaticSilentRenew: false });
    await w.signIn(app);
    const events = w.record(app, 'logout');
    await app.logout();
    expect(await app.getSession()).toBeNull();
    expect(events).toHaveLength(1);
    expect(w.submit).toHaveBeenCalledTimes(1);
  });

  // The brief for these tests asks for one warning when storage fails, custom stores included. The SDK swallows
  // a failing custom store silently (src/client.ts load() and save(): empty catch blocks), so an app cannot tell
  // that its own (e.g. encrypted IndexedDB) store stopped working. Reported as a gap; drop this test if silence
  // is the intended contract for custom stores.
  it('a custom store that rejects is reported once with console.warn', async () => {
    const client = await newPage();
    const app = client({ storage: failingStore('reject'), automaticSilentRenew: false });
    await w.signIn(app);
    await app.getAccessToken();
    await app.logout();
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('never logs what a failing custom store was given, even when its error quotes it', async () => {
    const client = await newPage();
    const quoting = {
      get: () => null,
      set: (_k: string, v: string) => {
        throw new Error(`cannot store ${v}`);
      },
      remove: () => {},
    };
    const app = client({ storage: quoting, automaticSilentRenew: false });
    const { session } = await w.signIn(app);
    expect(warn).toHaveBeenCalledTimes(1);
    const logged = warn.mock.calls.flat().map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : String(a)));
    expect(logged.join(' ')).not.toContain(session.accessToken);
  });
});
