import type { AuthorizationServer } from 'oauth4webapi';
import type { AuthClient } from './auth-client.js';
import { callbackParams, exchangeCallback, forgetResponse, isCallbackUrl, takeTransaction } from './callback.js';
import { type AuthClientOptions, checkParams, resolveConfig, sameOriginUrl } from './config.js';
import { discover } from './discovery.js';
import { AuthError, disposedError, needsInteraction, toAuthError } from './errors.js';
import { createEmitter } from './events.js';
import { createAuthorizationRequest, createTransactionStore, type Transaction } from './login.js';
import { endSession, revokeRefreshToken } from './logout.js';
import { inBrowser, serverClient } from './no-browser.js';
import { createFailureMemory, createScheduler, renewalDueAt } from './renewal.js';
import { INTERNALS, type Internals } from './internals.js';
import { renewOnce, sameUser } from './renew-once.js';
import { newerSession, newLogin, publicSession, type StoredSession } from './session.js';
import { signedOutMarker } from './signed-out.js';
import { handBack, sdkWindow } from './sdk-window.js';
import { iframeVerdict, probeIframe, type SilentRenewal } from './silent-renewal.js';
import { resolveStore, sessionSlot, webStore } from './storage.js';
import { createTabSync } from './tabs.js';

export type { AuthClient, LoginOptions, LogoutOptions } from './auth-client.js';

/** `onSilentRenewFailure: 'redirect'` goes to login at most once a minute: a failing login can never loop. */
const REDIRECT_GUARD_MS = 60_000;

/**
 * Creates a client for one provider and app. Throws `AuthError('invalid_config')` when an option is wrong. Where
 * there is no browser (server-side rendering) it returns an inert client that holds nothing open.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1 authorization code grant
 * @see https://www.rfc-editor.org/rfc/rfc7636 PKCE
 */
export function createAuthClient(options: AuthClientOptions): AuthClient {
  const c = resolveConfig(options);
  if (!inBrowser()) return serverClient();
  // An app that boots inside the SDK's own iframe or popup (silent URI = an app route) hands the response back at
  // once, before its router can rewrite the URL, and must not renew, talk to the tabs or handle a callback there.
  const inFrame = !!sdkWindow();
  handBack();
  const events = createEmitter();
  const store = resolveStore(c.storage);
  const tabStore = webStore('session');
  const transactions = createTransactionStore(tabStore, `${c.key}:tx`);
  // One marker per client and authority: a logout ends the sessions of every scope and API this app holds.
  const appKey = `cpk:${c.clientId}@${c.authority}`;
  const signedOut = signedOutMarker(appKey, c.key);
  const failures = createFailureMemory();
  const verdict = iframeVerdict(c.authority);
  const abort = new AbortController();
  let as: Promise<AuthorizationServer> | undefined;
  let current: StoredSession | null = null;
  let inflight: Promise<StoredSession> | undefined;
  // For the snapshot (getState): start-up done, and the last failure since the last session.
  let started = false;
  let lastError: AuthError | null = null;

  const metadata = () =>
    (as ??= discover(c, tabStore).catch((e) => {
      as = undefined;
      throw e;
    }));

  const slot = sessionSlot(store, c.key, signedOut.refuses);
  // 0.1 stored the session under the bare app key, which nothing reads now: its tokens leave the store.
  void sessionSlot(store, appKey, signedOut.refuses).remove();
  const save = slot.save;
  const readStored = slot.read;

  /** Settles when the first session is committed: start-up stops waiting for other tabs' answers then. */
  let arrived!: () => void;
  const sessionArrived = new Promise<null>((resolve) => {
    arrived = () => resolve(null);
  });

  /**
   * Makes `s` the session if it belongs to the current login: it must be newer than the current session (a later
   * login, or the same login's later token) and from a login made after the last logout. Then it is stored,
   * announced to the app and (unless it came from there) to the other tabs. Every session passes here, from a
   * login, a renewal, storage or another tab, so no late answer can undo a logout or an account switch.
   */
  /** Why `s` cannot be the session (from before the last logout, or not newer than the current one), or ''. */
  const refusal = (s: StoredSession) => (signedOut.refuses(s) ? 'signed-out' : newerSession(current, s) !== s ? 'older' : '');

  const commit = async (s: StoredSession, fromTab = false): Promise<boolean> =>
    s !== current &&
    signedOut.inTurn(async () => {
      const refused = refusal(s);
      if (refused) {
        c.log({ step: 'session', refused, fromTab });
        return false;
      }
      current = s;
      arrived();
      await save(s);
      // A logout (or a newer session) while it was being written: it is not announced.
      if (current !== s) return false;
      if (!fromTab) tabs?.publish(s);
      scheduler.check();
      lastError = null;
      changed();
      events.emit('token', publicSession(s));
      notePath();
      return true;
    });

  /** How renewals go now; `silentRenewal` fires when that changes. */
  const path = (): SilentRenewal => (current?.refreshToken ? 'refresh_token' : verdict.get());
  let lastPath = path();
  const notePath = () => {
    const now = path();
    if (now === lastPath) return;
    lastPath = now;
    changed();
    events.emit('silentRenewal', now);
  };
  // Who watches the state (observeAuth: framework bindings); told after each change.
  const watchers = new Set<() => void>();
  const changed = () => {
    for (const fn of [...watchers]) fn();
  };
  /** Records a failure for the state's `error`. */
  const failed = (e: AuthError) => {
    lastError = e;
    changed();
  };

  const clear = async (announce: number | false) => {
    const had = current;
    current = null;
    scheduler.check();
    changed();
    // Each may throw synchronously or reject: neither may stop the logout.
    await Promise.allSettled([slot.remove(), transactions.clear()]);
    if (announce) tabs?.publishLogout(announce);
    if (had || announce) events.emit('logout', undefined);
  };

  /**
   * Catches up with what this tab missed (frozen, in the bfcache, not sharing tabs): a session that a logout or a
   * newer login (an account switch) refuses is replaced by the newest one stored or held by another tab, if any is
   * acceptable, else cleared; a shared store is never emptied of a newer login's session.
   */
  const recheck = async () => {
    if (!current || !signedOut.refuses(current)) return;
    const newest = newerSession(await readStored(), (await tabs?.ask('any')) ?? null);
    if (newest) await commit(newest, true);
    if (current && signedOut.refuses(current)) await clear(false);
  };

  const tabs =
    c.shareAcrossTabs && !inFrame && typeof BroadcastChannel === 'function'
      ? createTabSync(c.key, {
          current: () => current,
          onSession: (s) => void commit(s, true),
          onLogout: (at) => {
            signedOut.mark(at);
            void recheck();
          },
        })
      : undefined;
  const unwatch = signedOut.watch(() => void recheck());

  const scheduler = createScheduler({
    session: () => current,
    automatic: c.automaticSilentRenew && !inFrame,
    lead: c.renewBeforeExpiry * 1000,
    failures,
    expiring: (s) => events.emit('expiring', publicSession(s)),
    expired: (s) => events.emit('expired', publicSession(s)),
    renew: () => client.renew(),
  });

  /**
   * Reads the stored session; a tab with none asks the other tabs for theirs. A lone tab gets no answer, so that
   * question ends at its timeout, unless a login completes here first (a callback page).
   */
  const ready = (async () => {
    const s = await readStored();
    const fromTab = !s && tabs ? await Promise.race([tabs.ask('any'), sessionArrived]) : null;
    // A login may have completed meanwhile (the callback does not wait for this): keep whichever is newer.
    const next = s ?? fromTab;
    const take = async () => {
      if (!next || next === current || refusal(next)) return;
      current = next;
      if (next === fromTab) await save(next);
    };
    // Only another tab's session is written here, and so only then is it this app's turn.
    await (fromTab ? signedOut.inTurn(take) : take());
    scheduler.check();
    started = true;
    changed();
    notePath();
  })();

  /** Whether a session's token is good for a while yet: not yet due for renewal. */
  const fresh = (s: StoredSession) => Date.now() < renewalDueAt(s, c.renewBeforeExpiry * 1000);

  /**
   * One renewal for all tabs: under the lock, a session newer than the one this call started from (another tab
   * renewed meanwhile) is taken instead of renewing again. After a logout it refuses: only `login()` signs in.
   */
  const renewShared = async (): Promise<StoredSession> => {
    // When this call was made, and the session it wants replaced (once the stored one is loaded).
    const calledAt = Date.now();
    // A silent sign-in (no session) counts as a login made now: after the last logout even if the clock is behind
    // it by a millisecond or more, and before any logout made while it runs.
    const silentLogin = newLogin(loginTime());
    const before = current;
    await ready;
    const seen = before ?? current;
    const run = async (waited: boolean) => {
      await recheck();
      // The newest session anywhere: ours, the stored one ('local' is shared), and every other tab's. A tab that
      // waited for the lock asks even when it knows no tab: the one that held the lock may just have renewed.
      const stored = await readStored();
      // So does a tab about to redeem a refresh token: another tab may have rotated it without this one knowing.
      const answer = (await tabs?.ask(waited || current?.refreshToken ? 'handover' : 'known')) ?? null;
      // The newest known session is taken first, due or not: a renewal starts from it, with its refresh token, the
      // live one (another tab may have rotated the one this tab holds; presenting that again can revoke the grant).
      const peer = newerSession(newerSession(current, stored), answer);
      if (peer) await commit(peer, true);
      // Join instead of renewing again when the session is one obtained after this call, or one newer than the
      // caller's and not yet due for renewal (another tab renewed just before this one noticed).
      const now = current;
      if (now && now !== seen && (now.receivedAt >= calledAt || (newerSession(seen, now) === now && fresh(now)))) {
        c.log({ step: 'renew', joined: true });
        return now;
      }
      if (!current && signedOut.marked) throw new AuthError('login_required', 'Signed out: only login() signs in again');
      if (abort.signal.aborted) throw disposedError();
      c.log({ step: 'renew', path: path(), waited });
      const s = await renewOnce(await metadata(), c, current, abort.signal, silentLogin, verdict);
      if (abort.signal.aborted) throw disposedError();
      c.log({ step: 'renewed', path: path(), expiresIn: Math.round((s.expiresAt - s.receivedAt) / 1000) });
      if (await commit(s)) return s;
      // Not taken: a logout, or a newer login or session, came while it ran. The user's last action wins.
      if (current) return current;
      throw new AuthError('login_required', 'Signed out while the renewal was running');
    };
    try {
      return await (tabs ? tabs.withLock(run) : run(false));
    } catch (e) {
      const err = abort.signal.aborted ? disposedError() : toAuthError(e);
      // Only a failure for the session still in use holds its renewals back.
      if (current === seen) failures.failed(seen, err);
      const retryAt = failures.retryAt(seen);
      c.log({ step: 'renewFailed', code: err.code, ...(retryAt === Infinity ? { held: true } : { retryIn: retryAt - Date.now() }) });
      notePath();
      failed(err);
      events.emit('renewError', err);
      // The user can still continue the session while its token works: tell the app in time.
      const timeLeft = (current?.expiresAt ?? 0) - Date.now();
      if (current && needsInteraction(err) && timeLeft > 0)
        events.emit('interactionRequired', { error: err, expiresAt: current.expiresAt, timeLeft });
      throw err;
    }
  };

  /** The time a login made now gets: after the last logout and the login in use, even if the clock went back. */
  const loginTime = () => Math.max(signedOut.loginTime(), (current?.loginAt ?? 0) + 1);

  /**
   * Validates and exchanges an authorization response and commits its session: a new login (after the last logout
   * and the login in use, so it wins over both) or, with `prev`, a renewal of that login for the same user.
   */
  const completeResponse = async (params: URLSearchParams, state: string, tx: Transaction, prev: StoredSession | null) => {
    // A silent sign-in counts from when it was asked for: a logout or a login made while it ran comes after it.
    if (tx.silent) await ready;
    const login = prev ?? newLogin(tx.silent?.at ?? loginTime());
    const sub = prev ? prev.claims?.sub : tx.silent?.sub;
    const s = sameUser(sub, await exchangeCallback(await metadata(), c, params, state, tx, login, abort.signal));
    if (abort.signal.aborted) throw disposedError();
    if (!(await commit(s))) throw new AuthError('login_required', 'A logout or another login in this app came first');
    if (!prev) signedOut.loggedIn(s);
    // Right after a login the provider session is alive: the moment to learn whether the iframe can see it.
    if (!prev && c.detectSilentRenewal && !s.refreshToken && verdict.get() !== 'iframe')
      void probeIframe(await metadata(), c, abort.signal).then((v) => {
        c.log({ step: 'probe', verdict: v ?? 'unknown' });
        if (v) verdict.set(v);
        notePath();
      }, notePath);
    return s;
  };

  /** At most one redirect a minute per tab for `restore()` and `onSilentRenewFailure`: a failing one never loops. */
  const redirectAllowed = () => {
    const key = `${c.key}:redirected`;
    if (Date.now() - Number(tabStore.get(key)) < REDIRECT_GUARD_MS) return false;
    tabStore.set(key, String(Date.now()));
    return true;
  };

  const internals: Internals = {
    config: c,
    signal: abort.signal,
    server: metadata,
    ready,
    source: () => ({ ready: started, current, silentRenewal: lastPath, error: lastError }),
    watch(fn) {
      watchers.add(fn);
      return () => void watchers.delete(fn);
    },
    complete: async (params, state, tx, renew) => {
      if (renew && !current) throw new AuthError('login_required', 'No session to renew');
      return publicSession(await completeResponse(params, state, tx, renew ? current : null));
    },
  };

  const client: AuthClient & { [INTERNALS]: Internals } = {
    [INTERNALS]: internals,
    async login(o = {}) {
      if (o.returnTo !== undefined) sameOriginUrl(o.returnTo);
      const extraParams = checkParams('extraParams', o.extraParams);
      const { url, state, tx } = await createAuthorizationRequest(await metadata(), c, {
        ...o,
        extraParams,
        redirectUri: c.redirectUri,
      });
      if (o.prompt === 'none') {
        await ready;
        tx.silent = { sub: current?.claims?.sub, at: loginTime() };
      }
      await transactions.save(state, tx);
      c.log({ step: 'login', prompt: o.prompt });
      location.assign(url.href);
    },

    // Inside the SDK's own silent iframe the app must not treat the response as a login: the parent handles it.
    isCallback: (url = location.href) => !inFrame && isCallbackUrl(url, c.redirectUri),

    async handleRedirectCallback(url = location.href) {
      const params = callbackParams(url);
      let ours = false;
      try {
        const [state, tx] = await takeTransaction(transactions, params, abort.signal);
        ours = true;
        const s = await completeResponse(params, state, tx, null);
        c.log({ step: 'callback', outcome: 'session' });
        // Handed back as the app wrote it; checked at login, and again here in case the stored copy was altered.
        let { returnTo } = tx;
        try {
          if (returnTo) sameOriginUrl(returnTo);
        } catch {
          returnTo = undefined;
        }
        return { session: publicSession(s), returnTo };
      } catch (e) {
        c.log({ step: 'callback', outcome: (e as AuthError).code });
        const err = abort.signal.aborted ? disposedError() : (e as AuthError);
        failed(err);
        throw err;
      } finally {
        // Only a response to one of our logins is removed: an app's own `code` or `state` parameters stay.
        if (ours) forgetResponse(url);
      }
    },

    async getSession() {
      await ready;
      return current && publicSession(current);
    },

    async isAuthenticated() {
      await ready;
      return !!current && current.expiresAt > Date.now();
    },

    async getAccessToken() {
      await ready;
      const s = current;
      if (s && fresh(s)) return s.accessToken;
      try {
        // The scheduler's backoff and failures hold app-driven calls back too: no request per call in an outage.
        const held = failures.holding(s);
        if (held) throw held;
        return (await client.renew()).accessToken;
      } catch (e) {
        const err = e as AuthError;
        if (needsInteraction(err)) {
          // At most one restore per session: one that came back without a new session is not tried again.
          const key = `${c.key}:restored`;
          const tried = s ? `${s.loginId} ${s.receivedAt}` : '';
          if (c.onSilentRenewFailure === 'restore' && tabStore.get(key) !== tried) {
            tabStore.set(key, tried);
            await client.restore();
          }
          else if (c.onSilentRenewFailure === 'redirect' && redirectAllowed()) await client.login({ returnTo: location.href });
        }
        // A session still valid (inside the renewal window) is better than nothing.
        if (s && s === current && s.expiresAt > Date.now()) return s.accessToken;
        throw err;
      }
    },

    async restore() {
      await ready;
      // A logout sticks: after one, only login() signs in.
      if ((!current && signedOut.marked) || !redirectAllowed()) return false;
      await client.login({ prompt: 'none', returnTo: location.href });
      return true;
    },

    get silentRenewal() {
      return path();
    },

    renew() {
      inflight ??= renewShared().finally(() => {
        inflight = undefined;
      });
      return inflight.then(publicSession);
    },

    async logout(o = {}) {
      const returnTo = o.returnTo === undefined ? c.postLogoutRedirectUri : sameOriginUrl(o.returnTo).href;
      await ready;
      // From here on no session from the login being ended is taken, whatever arrives meanwhile, in any tab.
      const s = await signedOut.inTurn(async () => {
        const ending = current;
        const at = signedOut.mark(undefined, ending);
        await signedOut.hold(at);
        await clear(at);
        return ending;
      });
      const server = await metadata().catch(() => undefined);
      if (server && s?.refreshToken) await revokeRefreshToken(server, c, s.refreshToken);
      // DPoP: the key goes with the session; the next login makes a new one.
      await c.dpop?.reset(c);
      const endpoint = o.endSession !== false && server?.end_session_endpoint;
      c.log({ step: 'logout', revoke: !!s?.refreshToken, endSession: endpoint ? c.logoutMethod : 'none' });
      if (!endpoint) {
        // `endSession: false` stays on this page.
        if (returnTo && o.endSession !== false) location.assign(returnTo);
        return;
      }
      endSession(endpoint, { clientId: c.clientId, postLogoutRedirectUri: returnTo, idTokenHint: s?.idToken }, c.logoutMethod);
    },

    on: (event, handler) => events.on(event, handler),

    dispose() {
      watchers.clear();
      abort.abort();
      scheduler.dispose();
      tabs?.close();
      unwatch();
      events.clear();
    },
  };
  return client;
}
