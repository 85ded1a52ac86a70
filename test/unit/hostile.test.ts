/**
 * Hostile pages and messages, through the public API.
 *
 * - During a silent renewal, `message` events from other origins, from other frames (even of our origin), from
 *   the app window itself or no window, with the state of a renewal that already finished, with data that is not
 *   an object, with a `url` that is not a string, or a URL on another origin carrying our state, are all ignored:
 *   the renewal completes only with the real answer from its own iframe, or times out; none of them makes a token
 *   request.
 * - A page that frames the app cannot make it renew, post anything, or sign out; nothing the SDK posts targets
 *   `'*'`, and tokens travel only on the app's own (same-origin) BroadcastChannel.
 * - No secret (access, ID or refresh token, code, PKCE verifier) appears in any URL the SDK creates (authorization
 *   URLs, the silent iframe, the address bar after a callback, the logout form's action or redirect, request URLs)
 *   or in anything it writes to the console, across login, failures, renewals and logout.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type AuthClient, completeSilentRenew, createAuthorizedFetch, type Session } from '../../src/index.js';
import {
  lastNavigation,
  markAnswered,
  postFrom,
  setAddress,
  silentFrame,
  silentFrameAfterTask,
  waitForSilentFrame,
} from './support/browser.js';
import { SILENT_FRAME_NAME } from '../../src/sdk-window.js';
import { APP_ORIGIN, ISSUER, REDIRECT_URI, SILENT_REDIRECT_URI } from './support/fake-provider.js';
import { captureConsole, quotaStorage, replaceStorage, settle, silentPageMessage, storageSnapshot } from './support/faults.js';
import { SESSION_KEY, useWorld } from './support/world.js';

const w = useWorld();
const EVIL = 'https://evil.example';
/** What the shipped silent page posts, with any `url`. */
const message = (url: unknown) => silentPageMessage(url);
/** Its message type. */
const silentType = () => String(message('').type);

const restores: (() => void)[] = [];
afterEach(() => {
  for (const r of restores.splice(0).reverse()) r();
});

/** What a hostile message may use: the renewal's iframe and state, another frame, and answers real and stale. */
interface Ctx {
  frame: HTMLIFrameElement;
  state: string;
  /** Another iframe of the page (same origin). */
  other: HTMLIFrameElement;
  /** A real provider answer for the renewal in flight (a valid code with its state). */
  real: string;
  /** The answer of a renewal that already finished. */
  stale: string;
  session: Session;
}

const hostileMessages: [string, (c: Ctx) => void][] = [
  ['the real answer, from another origin', (c) => postFrom(c.frame.contentWindow, EVIL, message(c.real))],
  ['the real answer, from another frame of our origin', (c) => postFrom(c.other.contentWindow, APP_ORIGIN, message(c.real))],
  ['the real answer, from the app window itself', (c) => postFrom(window, APP_ORIGIN, message(c.real))],
  ['the real answer, from no window', (c) => postFrom(null, APP_ORIGIN, message(c.real))],
  ['the answer of a renewal that already finished (stale state)', (c) => postFrom(c.frame.contentWindow, APP_ORIGIN, message(c.stale))],
  [
    'data that is not an object',
    (c) => {
      for (const data of [c.real, 42, null, undefined, true, [c.real], [silentType(), c.real]])
        postFrom(c.frame.contentWindow, APP_ORIGIN, data);
    },
  ],
  [
    'a url that is not a string',
    (c) => {
      for (const url of [42, null, undefined, { href: c.real }, new URL(c.real), [c.real], { toString: () => c.real }])
        postFrom(c.frame.contentWindow, APP_ORIGIN, message(url));
    },
  ],
  [
    'a URL on another origin carrying our state and a code',
    (c) => {
      const forged = new URL(c.real);
      for (const origin of [EVIL, 'http://localhost:3001', 'https://localhost:3000', 'http://127.0.0.1:3000']) {
        const u = new URL(forged.pathname + forged.search, origin);
        postFrom(c.frame.contentWindow, APP_ORIGIN, message(u.href));
      }
    },
  ],
  [
    'an unparseable or relative url',
    (c) => {
      for (const url of ['not a url', `?code=x&state=${c.state}`, `/silent-renew.html?code=x&state=${c.state}`, 'http://['])
        postFrom(c.frame.contentWindow, APP_ORIGIN, message(url));
    },
  ],
  [
    'another message type',
    (c) => {
      for (const type of [`${silentType()} `, silentType().toUpperCase(), 'connect-pkce:renew', undefined])
        postFrom(c.frame.contentWindow, APP_ORIGIN, { ...message(c.real), type });
    },
  ],
  [
    'a forged cross-tab session, posted to the window',
    (c) =>
      postFrom(c.frame.contentWindow, APP_ORIGIN, {
        t: 'session',
        from: 'evil',
        s: { ...c.session, accessToken: 'forged', expiresAt: Date.now() + 1e9, receivedAt: Date.now() },
      }),
  ],
];

/** A signed-in client with one silent renewal finished (for its stale answer) and a second one in flight. */
async function renewalInFlight(o: { silentTimeout?: number } = {}) {
  const client = w.client({ automaticSilentRenew: false, ...o });
  await w.signIn(client);
  const first = client.renew();
  const firstFrame = await waitForSilentFrame();
  markAnswered(firstFrame);
  const stale = w.provider.authorize(firstFrame.src);
  postFrom(firstFrame.contentWindow, APP_ORIGIN, message(stale));
  const session = await first;

  const run = { settled: false, promise: client.renew() };
  run.promise.then(
    () => (run.settled = true),
    () => (run.settled = true),
  );
  const frame = await waitForSilentFrame();
  const other = document.createElement('iframe');
  document.body.appendChild(other);
  const ctx: Ctx = {
    frame,
    state: new URL(frame.src).searchParams.get('state')!,
    other,
    real: w.provider.authorize(frame.src),
    stale,
    session,
  };
  return { client, run, ctx };
}

describe('messages to the app during a silent renewal', () => {
  it.each(hostileMessages)('ignores %s: the renewal completes only with the real answer', async (_name, hostile) => {
    const { client, run, ctx } = await renewalInFlight();
    const tokenRequests = w.provider.tokenRequests.length;
    const before = storageSnapshot();

    hostile(ctx);
    await settle();
    await settle();

    expect(run.settled).toBe(false);
    expect(w.provider.tokenRequests).toHaveLength(tokenRequests);
    expect(ctx.frame.isConnected).toBe(true);
    expect(await client.getSession()).toEqual(ctx.session);
    expect(storageSnapshot()).toEqual(before);

    // The real answer, from the renewal's own iframe, still works.
    postFrom(ctx.frame.contentWindow, APP_ORIGIN, message(ctx.real));
    const renewed = await run.promise;
    expect(renewed.accessToken).toBe(w.provider.issuedAccessTokens.at(-1));
    expect(renewed.accessToken).not.toBe(ctx.session.accessToken);
    expect(w.provider.tokenRequests).toHaveLength(tokenRequests + 1);
    expect(await silentFrameAfterTask()).toBeNull();
  });

  it('ignores all of them together: the renewal times out, with no token request and nothing stored', async () => {
    const { client, run, ctx } = await renewalInFlight({ silentTimeout: 300 });
    const tokenRequests = w.provider.tokenRequests.length;
    const before = storageSnapshot();
    for (const [, hostile] of hostileMessages) hostile(ctx);
    await expect(run.promise).rejects.toMatchObject({ name: 'AuthError', code: 'timeout' });
    expect(w.provider.tokenRequests).toHaveLength(tokenRequests);
    expect(await client.getSession()).toEqual(ctx.session);
    expect(storageSnapshot()).toEqual(before);
    expect(silentFrame()).toBeNull();
  });

  it('ignores the real answer once its renewal is over: no second redemption', async () => {
    const { client, run, ctx } = await renewalInFlight();
    postFrom(ctx.frame.contentWindow, APP_ORIGIN, message(ctx.real));
    const renewed = await run.promise;
    const tokenRequests = w.provider.tokenRequests.length;
    postFrom(ctx.frame.contentWindow, APP_ORIGIN, message(ctx.real));
    postFrom(window, APP_ORIGIN, message(ctx.real));
    await settle();
    expect(w.provider.tokenRequests).toHaveLength(tokenRequests);
    expect(await client.getSession()).toEqual(renewed);
  });
});

/** Stands in for the window that frames the app (`window.parent` and `window.top`). */
function framedBy() {
  const parent = { postMessage: vi.fn() };
  vi.stubGlobal('parent', parent);
  vi.stubGlobal('top', parent);
  return parent;
}

/** The target origin of a `postMessage(data, targetOrigin | options)` call. */
const targetOf = (args: unknown[]) =>
  typeof args[1] === 'string' ? args[1] : (args[1] as { targetOrigin?: string } | undefined)?.targetOrigin ?? '/';

describe('a page that frames the app', () => {
  it('cannot make it renew, answer, post or sign out by posting messages to it', async () => {
    const client = w.client({ shareAcrossTabs: true });
    const { session } = await w.signIn(client);
    const parent = framedBy();
    const windowPosts = vi.spyOn(window, 'postMessage');
    const channelPosts = vi.spyOn(BroadcastChannel.prototype, 'postMessage');
    const events = w.record(client, 'token', 'logout', 'renewError', 'expiring', 'expired');
    const requests = w.provider.requests.length;
    const before = storageSnapshot();
    const from = parent as unknown as Window;
    const callback = `${REDIRECT_URI}?code=evil&state=evil&iss=${encodeURIComponent(ISSUER)}`;

    for (const data of [
      'renew',
      'getAccessToken',
      { type: 'connect-pkce:renew' },
      { type: 'connect-pkce:getAccessToken', replyTo: EVIL },
      message(callback),
      message(`${SILENT_REDIRECT_URI}?code=evil&state=evil`),
      { t: 'ask', from: 'evil' },
      { t: 'logout', from: 'evil' },
      { t: 'session', from: 'evil', s: { ...session, accessToken: 'forged', expiresAt: Date.now() + 1e9 } },
    ]) {
      postFrom(from, EVIL, data);
      postFrom(null, EVIL, data);
    }
    await settle();
    await settle();

    expect(w.provider.requests).toHaveLength(requests);
    expect(silentFrame()).toBeNull();
    expect(parent.postMessage).not.toHaveBeenCalled();
    expect(windowPosts).not.toHaveBeenCalled();
    expect(channelPosts).not.toHaveBeenCalled();
    expect(events).toEqual([]);
    expect(await client.getSession()).toEqual(session);
    expect(storageSnapshot()).toEqual(before);
  });

  it('never posts to "*": the silent page answers its own origin only, tokens go only to the app\'s own channel', async () => {
    const parent = framedBy();
    const windowPosts = vi.spyOn(window, 'postMessage');
    const channelPosts = vi.spyOn(BroadcastChannel.prototype, 'postMessage');
    w.provider.issueRefreshTokens = true;
    const client = w.client({ shareAcrossTabs: true, automaticSilentRenew: false });
    const { session } = await w.signIn(client);
    const renewing = client.renew();
    const renewed = await renewing;
    await client.logout();

    // The app booting at a callback URL inside a frame (a silent URI that is an app route): what it posts.
    setAddress(`${SILENT_REDIRECT_URI}?code=c&state=s`);
    window.name = SILENT_FRAME_NAME;
    expect(completeSilentRenew()).toBe(true);
    window.name = '';

    const posts = [...parent.postMessage.mock.calls, ...windowPosts.mock.calls];
    expect(posts.length).toBeGreaterThan(0);
    for (const call of posts) expect(targetOf(call)).toBe(APP_ORIGIN);
    // The tab channel is the app's own (BroadcastChannel is same-origin by definition); it did carry the session.
    expect(channelPosts).toHaveBeenCalled();
    for (const channel of channelPosts.mock.contexts) expect((channel as BroadcastChannel).name).toBe(SESSION_KEY);
    const carried = JSON.stringify(channelPosts.mock.calls);
    expect(carried).toContain(renewed.accessToken);
    // Nothing posted to a window carries a token.
    const toWindows = JSON.stringify(posts);
    for (const token of [session.accessToken, renewed.accessToken, session.idToken!]) expect(toWindows).not.toContain(token);
  });
});

describe('no secret in URLs or console output', () => {
  it('across login, failures, renewals (iframe and refresh) and logout', async () => {
    const output = captureConsole();
    // A fresh copy of the SDK (a new page): its once-per-page storage warning has not been used up.
    vi.resetModules();
    const sdk = await import('../../src/index.js');
    const clients: AuthClient[] = [];
    const client = (o = {}) => {
      const c = sdk.createAuthClient({
        authority: ISSUER,
        clientId: w.provider.clientId,
        redirectUri: REDIRECT_URI,
        silentRedirectUri: SILENT_REDIRECT_URI,
        postLogoutRedirectUri: `${APP_ORIGIN}/signed-out`,
        shareAcrossTabs: false,
        automaticSilentRenew: false,
        detectSilentRenewal: false,
        ...o,
      });
      clients.push(c);
      return c;
    };

    // Every URL the SDK puts anywhere.
    const urls: string[] = [];
    const forms: HTMLFormElement[] = [];
    const observer = new MutationObserver((records) => {
      for (const r of records)
        for (const n of r.addedNodes) {
          if (n instanceof HTMLIFrameElement) urls.push(n.src);
          if (n instanceof HTMLFormElement) forms.push(n);
        }
    });
    observer.observe(document.body, { childList: true, subtree: true });
    const sessions: Session[] = [];

    try {
      const app = client();
      app.on('token', (s) => sessions.push(s));
      // A refused login, then a good one.
      const refused = await w.startLogin(app);
      await expect(
        app.handleRedirectCallback(w.callbackFor(refused, { error: 'access_denied', errorDescription: 'The user said no' })),
      ).rejects.toMatchObject({ code: 'access_denied' });
      // The good one lands in the address bar; what the SDK writes there afterwards is recorded.
      setAddress(w.callbackFor(await w.startLogin(app)));
      const replaced = vi.spyOn(history, 'replaceState');
      await app.handleRedirectCallback();
      urls.push(...replaced.mock.calls.map(([, , u]) => String(u)));
      expect(replaced).toHaveBeenCalledTimes(1);
      replaced.mockRestore();
      // A renewal in the iframe, whose answer brings a refresh token; then one with it.
      w.provider.issueRefreshTokens = true;
      const viaFrame = app.renew();
      await w.answerSilentFrame();
      await viaFrame;
      await app.renew();
      // An API call.
      await createAuthorizedFetch(app)(`${APP_ORIGIN}/api/data?x=1`);
      // Storage fills up: the next renewal cannot be written (the SDK warns and keeps it in memory).
      const full = quotaStorage(sessionStorage);
      restores.push(replaceStorage('sessionStorage', () => full));
      await app.renew();
      // Then the refresh token is refused, and the iframe says login_required.
      w.provider.onToken(() => new Response(JSON.stringify({ error: 'invalid_grant' }), { status: 400, headers: { 'content-type': 'application/json' } }));
      const failing = app.renew();
      await w.answerSilentFrame({ error: 'login_required' });
      await expect(failing).rejects.toMatchObject({ code: 'login_required' });
      await app.logout();
      // logoutMethod 'get' (providers that refuse POST): a navigation, which must not carry the ID token.
      const viaGet = client({ logoutMethod: 'get' });
      viaGet.on('token', (s) => sessions.push(s));
      await w.signIn(viaGet);
      await viaGet.logout();
      expect(lastNavigation(w.nav).searchParams.get('client_id')).toBe(w.provider.clientId);
      // A provider without end_session_endpoint: logout goes to returnTo.
      const plain = client({ metadata: { ...w.provider.metadata, end_session_endpoint: undefined } as never });
      await plain.logout({ returnTo: `${APP_ORIGIN}/bye` });
      await settle();
    } finally {
      observer.disconnect();
      for (const c of clients) c.dispose();
    }

    // The logout form: a POST, so its fields (the ID token hint) stay out of the URL. Were it a GET, the browser
    // would navigate to action?fields: that URL is checked too.
    expect(forms).toHaveLength(1);
    for (const form of forms) {
      expect(form.method.toLowerCase()).toBe('post');
      const fields = new URLSearchParams([...form.querySelectorAll('input')].map((i) => [i.name, i.value]));
      urls.push(form.action, form.method.toLowerCase() === 'get' ? `${form.action}?${fields}` : form.action);
    }
    urls.push(...w.nav.mock.calls.map(([u]) => String(u)));
    urls.push(...w.provider.requests.map((r) => r.url));
    expect(urls.some((u) => u.includes('prompt=none'))).toBe(true);
    expect(urls.some((u) => u.endsWith('/logout'))).toBe(true);

    const bodies = w.provider.tokenRequests.map((r) => r.body!);
    const secrets = [
      ...w.provider.issuedAccessTokens,
      ...sessions.map((s) => s.idToken!),
      ...bodies.flatMap((b) => [b.get('code'), b.get('code_verifier'), b.get('refresh_token')]),
    ].filter((s): s is string => typeof s === 'string' && s.length >= 8);
    // Not vacuous: 5 access tokens, 3 ID tokens, codes, verifiers and refresh tokens (17 secrets in all).
    expect(new Set(secrets).size).toBeGreaterThanOrEqual(15);

    const text = output.text();
    // Not vacuous: the SDK did write to the console (the storage warning).
    expect(output.calls.map((c) => c.method)).toContain('warn');
    for (const secret of new Set(secrets)) {
      for (const url of urls) expect(url, 'a secret in a URL').not.toContain(secret);
      expect(text.includes(secret), 'a secret in console output').toBe(false);
    }
  });
});
