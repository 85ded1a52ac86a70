// Session monitoring (OpenID Connect Session Management 1.0), its own entry point: `connect-pkce/session-monitor`.
// Built on the client: its session (`sessionState`), `renew()`, `logout({ endSession: false })` and `silentRenewal`;
// from the internals only the client ID, the logger, the provider's metadata and the client's lifetime.
import { addOnInternals } from './add-on.js';
import { type AuthClient, AuthError, type AuthErrorCode } from './index.js';

/** Options of {@link monitorSession}. */
export interface SessionMonitorOptions {
  /** How often the provider is asked whether its session changed, ms (100 … 2^31-1). Default 2000. */
  interval?: number | undefined;
  /**
   * The provider session ended (a logout at the provider or in another app) or now belongs to another user: called
   * in each tab that runs a monitor, once that tab is signed out (each client also emits `logout`); a tab that holds
   * another session by then (a new login) keeps it and is not told.
   */
  onSessionEnd?: ((end: SessionEnd) => void) | undefined;
}

/** Why a monitored session ended: the answer of the renewal that checked the provider's "changed". */
export interface SessionEnd {
  /** `login_required` (the provider session ended, or belongs to another user now) and kin. */
  code: AuthErrorCode;
  /** The error's message. */
  message: string;
}

/**
 * - `'checking'`: this tab asks the provider (one tab per app does);
 * - `'standby'`: another tab of this app asks;
 * - `'waiting'`: nothing to ask yet: no session, no `sessionState`, the hidden iframe not yet known to work or known
 *   not to (third-party cookies blocked, as this browser last found; a login's probe may find otherwise), or a
 *   refresh-token session, which the provider's browser session does not keep alive. Looked at again every
 *   `interval` and whenever `silentRenewal` changes;
 * - `'off'`: it cannot work here (no `check_session_iframe`, or one that still does not load or answer when tried
 *   again a minute later, twice; the provider answered `error`, or keeps answering "changed" about the
 *   `session_state` a renewal just brought), in a page the SDK itself loaded (its hidden iframe or popup), or
 *   disposed (or its client was). A tab that stops hands the checks on to the next tab.
 */
export type SessionMonitorState = 'checking' | 'standby' | 'waiting' | 'off';

/** A running monitor: see {@link monitorSession}. */
export interface SessionMonitor {
  /** What it does now. */
  readonly state: SessionMonitorState;
  /** Removes its iframe, timers, listeners, channel and lock. */
  dispose(): void;
}

/**
 * The answers of the authorization endpoint that say the provider session is gone (or needs the user): only these
 * end the session. A renewal's `login_required` also stands for an answer about another user. `invalid_grant` or
 * `access_denied` from the code exchange (e.g. IdentityServer nodes without a shared grant store) say nothing about
 * the provider session: like any other failure, the next "changed" checks again later.
 */
const ENDED = /^(login|interaction|consent|account_selection)_required$/;
/** After a "changed" whose renewal failed for another reason (offline, timeout), the next one waits this long. */
const RETRY_MS = 30_000;
/** The provider's iframe must load in this time. */
const LOAD_TIMEOUT_MS = 10_000;
/** Questions in a row without an answer after which the iframe counts as mute (a page that cannot be framed). */
const MUTE_AFTER = 3;
/** A check iframe that did not load or answer is tried again after this long, this many times, then the monitor stops. */
const RELOAD_MS = 60_000;
const RELOADS = 2;

/**
 * Notices within seconds that the user signed out at the provider: one tab of the app (a Web Lock elects it; in a
 * browser without Web Locks each tab asks) loads the provider's `check_session_iframe` and asks it every `interval`
 * whether the browser session still matches the session's `session_state`. On "changed" it renews once, silently:
 * the same user carries on (with the new `session_state`); `login_required` or another user clears the session in
 * every tab (`logout({ endSession: false })`) and calls `onSessionEnd` in each tab with a monitor, once that tab is
 * signed out. A login that arrived meanwhile is left alone. Any other failure (offline) is retried later.
 *
 * It needs the hidden iframe to see the provider's cookies, so it checks only while `client.silentRenewal` is
 * `'iframe'`; until then (third-party cookies blocked, a refresh-token session) it waits, and says why once in the
 * log. It does nothing in a page the SDK itself loaded (its hidden iframe or popup, where an app whose silent
 * redirect URI is one of its own routes boots too), and stops when the client is disposed. A visible tab nudges the
 * checking one, so a throttled background tab does not delay the news. Throws `AuthError('invalid_config')` for an
 * `interval` under 100 ms or past 2^31-1, or for a `client` that `createAuthClient` did not return. Its own entry
 * point: apps that do not import it ship none of it.
 * @see https://openid.net/specs/openid-connect-session-1_0.html#ChangeNotification
 */
export function monitorSession(client: AuthClient, o: SessionMonitorOptions = {}): SessionMonitor {
  const interval = o.interval ?? 2000;
  // Never flat out (0, NaN), never a timer that the browser cuts to 0 (2^31 and beyond, Infinity).
  if (!(interval >= 100 && interval < 2 ** 31))
    throw new AuthError('invalid_config', 'monitorSession: `interval` must be a number of ms from 100 to 2^31-1');
  const inner = addOnInternals(client, 'monitorSession');
  let state: SessionMonitorState = 'off';
  const monitor = {
    get state() {
      return state;
    },
    dispose: () => {},
  };
  // Nothing to watch where there is no browser, for a disposed client, or in the SDK's own iframe or popup: the app's
  // page in the tab watches.
  if (!inner || typeof BroadcastChannel !== 'function') return monitor;
  const { config: c } = inner;
  // Aborted on dispose, or when this tab stops for good: every wait below checks it after each await.
  const stopped = new AbortController();
  const over = () => stopped.signal.aborted;
  const channel = new BroadcastChannel(`${c.key}:monitor`);
  const post = (m: object) => over() || channel.postMessage(m);
  const said = new Set<string>();
  /** Says once why it is off (or waiting). */
  const note = (why: string, what = 'off') => {
    if (!said.has(why)) c.log({ step: 'monitor', [what]: why });
    said.add(why);
  };
  const ended = (end: SessionEnd) => {
    try {
      o.onSessionEnd?.(end);
    } catch (e) {
      queueMicrotask(() => {
        throw e;
      });
    }
  };
  // Monotonic, so a wall clock set back does not stop the checks.
  const now = () => performance.now();

  let leading = false;
  let frame: HTMLIFrameElement | undefined;
  let origin = '';
  let loaded: Promise<boolean> | undefined;
  let late: ReturnType<typeof setTimeout> | undefined;
  let reloads = 0;
  let busy = false;
  // Renewals after "changed" held back after one failed (offline); checks held back while a broken iframe waits.
  let renewsHeldUntil = 0;
  let checksHeldUntil = 0;
  let lastTick = -Infinity;
  // The session_state of each question not yet answered, oldest first: each answer is about the oldest one.
  const questions: string[] = [];
  // The session_state a renewal after "changed" brought, until the provider answers "unchanged" about it; and
  // whether it came from a renewal for a "changed" about the one before (a second in a row).
  let unconfirmed = '';
  let again = false;

  const dropFrame = () => {
    clearTimeout(late);
    frame?.remove();
    frame = undefined;
    loaded = undefined;
    questions.length = 0;
  };

  /** Stops in this tab for good, says why once, and hands the lock on (the next tab looks for itself). */
  const stop = (why: string) => {
    note(why);
    monitor.dispose();
  };

  /** A check iframe that did not load or answer: tried again later, a few times, before stopping. */
  const retryFrame = (why: string) => {
    dropFrame();
    if (reloads++ >= RELOADS) return stop(why);
    c.log({ step: 'monitor', retry: why });
    state = 'waiting';
    checksHeldUntil = now() + RELOAD_MS;
  };

  const loadFrame = (url: string) =>
    (loaded ??= new Promise<boolean>((resolve) => {
      const f = document.createElement('iframe');
      frame = f;
      origin = new URL(url).origin;
      late = setTimeout(() => resolve(false), LOAD_TIMEOUT_MS);
      f.onload = () => resolve(true);
      f.setAttribute('aria-hidden', 'true');
      f.tabIndex = -1;
      f.title = 'connect-pkce session check';
      f.style.cssText = 'position:absolute;width:0;height:0;border:0;visibility:hidden';
      f.src = url;
      document.body.appendChild(f);
    }).finally(() => clearTimeout(late)));

  /** Asks the provider's iframe about the current session, if there is something to ask and a way to. */
  const tick = async () => {
    if (!leading || busy || over() || now() - lastTick < interval / 2 || now() < checksHeldUntil) return;
    lastTick = now();
    busy = true;
    try {
      const url = (await inner.server()).check_session_iframe;
      if (over()) return;
      if (!url) return stop('no check_session_iframe');
      const s = await client.getSession();
      const path = client.silentRenewal;
      if (over()) return;
      state = 'waiting';
      // Facts that may change (a login's probe, a new login): looked at again on the next tick.
      if (path === 'unavailable') note('third-party cookies blocked', 'waiting');
      if (path === 'refresh_token') note('refresh-token session', 'waiting');
      if (!s?.sessionState || path !== 'iframe') return;
      const ready = await loadFrame(url);
      if (over()) return;
      if (!ready) return retryFrame('check_session_iframe did not load');
      if (questions.length >= MUTE_AFTER) return retryFrame('check_session_iframe does not answer');
      state = 'checking';
      questions.push(s.sessionState);
      frame?.contentWindow?.postMessage(`${c.clientId} ${s.sessionState}`, origin);
    } catch {
      // Discovery failed (offline): the next tick tries again.
    } finally {
      busy = false;
    }
  };

  /** "changed": one silent renewal tells whether the provider session still holds this user. */
  const changed = async (about: string) => {
    if (busy || now() < renewsHeldUntil) return;
    // Twice in a row "changed" about the session_state a renewal had just brought, and each renewal for the same
    // user: the provider's check cannot confirm any session of this app (its session_state is computed for another
    // origin or client), so renewing again would only repeat this every interval. Once is not enough to tell: the
    // user may have signed out at the provider right after the renewal.
    const repeat = about === unconfirmed;
    if (repeat && again) return stop('session_state never matches');
    again = repeat;
    busy = true;
    try {
      // Renewed meanwhile (in another tab, say): the next tick asks about the new session_state.
      if ((await client.getSession())?.sessionState !== about || over()) return;
      c.log({ step: 'monitor', changed: true });
      unconfirmed = (await client.renew()).sessionState ?? '';
    } catch (e) {
      const err = e as AuthError;
      if (over()) return;
      if (!ENDED.test(err.code)) {
        renewsHeldUntil = now() + RETRY_MS;
        return;
      }
      // Still the session this was about? A new login (another user, in some tab) that came meanwhile is not ended.
      if ((await client.getSession())?.sessionState !== about) return;
      const end = { code: err.code, message: err.message };
      c.log({ step: 'monitor', ended: err.code });
      await client.logout({ endSession: false });
      // Cleared here and announced to the tabs: the other monitors tell their apps once their tab is clear too.
      post({ t: 'ended', about, ...end });
      if (!over()) ended(end);
    } finally {
      busy = false;
    }
  };

  /**
   * Another tab's monitor ended the session `about`: tell the app once this tab is signed out too. A tab that shares
   * nothing with the others (shareAcrossTabs: false) may not hear of it in time; if it still holds that session a
   * second later, it signs itself out. A tab that holds another session (a new login; a message queued while it was
   * frozen) keeps it, and its app is not told.
   */
  const endedElsewhere = async (end: SessionEnd, about: unknown) => {
    let off = () => {};
    let wait: ReturnType<typeof setTimeout> | undefined;
    const cleared = new Promise<boolean>((done) => {
      off = client.on('logout', () => done(true));
      wait = setTimeout(() => done(false), 1000);
    });
    let gone = !(await client.getSession()) || (await cleared);
    off();
    clearTimeout(wait);
    if (!gone && (await client.getSession())?.sessionState === about) {
      await client.logout({ endSession: false });
      gone = true;
    }
    if (gone && !over()) ended(end);
  };

  const onAnswer = (e: MessageEvent) => {
    if (!frame || e.source !== frame.contentWindow || e.origin !== origin) return;
    const about = questions.shift();
    if (about === undefined) return;
    // It answers: a frame that failed before gets its retries again for the next failure.
    reloads = 0;
    if (e.data === 'error') stop('the provider answered error');
    else if (e.data === 'changed') void changed(about);
    else if (e.data === 'unchanged' && about === unconfirmed) unconfirmed = '';
  };

  const visible = () => document.visibilityState === 'visible';
  // The checking tab may be in the background, where browsers slow timers to once a minute: visible tabs nudge it.
  const nudge = () => {
    if (leading) void tick();
    else if (visible()) post({ t: 'check' });
  };
  channel.onmessage = ({ data }: MessageEvent) => {
    if (data?.t === 'check') void tick();
    else if (data?.t === 'ended' && typeof data.code === 'string')
      void endedElsewhere({ code: data.code, message: String(data.message) }, data.about);
  };
  const timer = setInterval(nudge, interval);
  const onVisibility = () => visible() && nudge();
  // A login's probe (or a new login) may make the hidden iframe usable: no need to wait for the next interval.
  const off = client.on('silentRenewal', nudge);
  addEventListener('message', onAnswer);
  document.addEventListener('visibilitychange', onVisibility);

  const lead = () => {
    leading = true;
    state = 'waiting';
    void tick();
  };
  const locks = typeof navigator === 'object' ? navigator.locks : undefined;
  if (locks) {
    state = 'standby';
    // Held until this tab stops; the next tab in the queue takes over then (or when this one closes).
    locks
      .request(`${c.key}:monitor`, { signal: stopped.signal }, () => {
        if (over()) return;
        lead();
        return new Promise((release) => stopped.signal.addEventListener('abort', release));
      })
      .catch(() => {});
  } else lead();

  monitor.dispose = () => {
    stopped.abort();
    leading = false;
    state = 'off';
    clearInterval(timer);
    dropFrame();
    channel.close();
    removeEventListener('message', onAnswer);
    document.removeEventListener('visibilitychange', onVisibility);
    off();
    inner.signal.removeEventListener('abort', monitor.dispose);
  };
  inner.signal.addEventListener('abort', monitor.dispose);
  return monitor;
}
