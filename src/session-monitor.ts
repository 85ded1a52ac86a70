// Session monitoring (OpenID Connect Session Management 1.0), its own entry point: `connect-pkce/session-monitor`.
// Built on the client: its session (`sessionState`), `renew()`, `logout({ endSession: false })` and `silentRenewal`;
// from the internals only the client ID, the logger and the provider's metadata.
import { needsInteraction } from './errors.js';
import type { AuthClient, AuthError, AuthErrorCode } from './index.js';
import { INTERNALS, type WithInternals } from './internals.js';

/** Options of {@link monitorSession}. */
export interface SessionMonitorOptions {
  /** How often the provider is asked whether its session changed, ms. Default 2000. */
  interval?: number | undefined;
  /**
   * The provider session ended (a logout at the provider or in another app) or now belongs to another user: called
   * in every tab that runs a monitor, once the session is cleared in every tab (each client also emits `logout`).
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
 * - `'waiting'`: nothing to ask yet: no session, no `sessionState`, or the hidden iframe not yet known to work;
 * - `'off'`: it cannot work here (no `check_session_iframe`, or one that does not load or answer; third-party cookies
 *   blocked; a refresh-token session, which the provider's browser session does not keep alive; the provider
 *   answered `error`), or disposed.
 */
export type SessionMonitorState = 'checking' | 'standby' | 'waiting' | 'off';

/** A running monitor: see {@link monitorSession}. */
export interface SessionMonitor {
  /** What it does now. */
  readonly state: SessionMonitorState;
  /** Removes its iframe, timers, listeners, channel and lock. */
  dispose(): void;
}

/** After a "changed" whose renewal failed for another reason (offline, timeout), the next one waits this long. */
const RETRY_MS = 30_000;
/** The provider's iframe must load in this time, or monitoring stops. */
const LOAD_TIMEOUT_MS = 10_000;
/** Questions in a row without an answer after which the iframe counts as mute (a page that cannot be framed). */
const MUTE_AFTER = 3;

/**
 * Notices within seconds that the user signed out at the provider: one tab of the app (a Web Lock elects it) loads
 * the provider's `check_session_iframe` and asks it every `interval` whether the browser session still matches the
 * session's `session_state`. On "changed" it renews once, silently: the same user carries on (with the new
 * `session_state`); `login_required` or another user clears the session in every tab (`logout({ endSession:
 * false })`) and calls `onSessionEnd` in each tab with a monitor. Any other failure (offline) is retried later.
 *
 * It needs the hidden iframe to see the provider's cookies, so it runs only while `client.silentRenewal` is
 * `'iframe'`; where third-party cookies are blocked it stops and says so once in the log. A visible tab nudges the
 * checking one, so a throttled background tab does not delay the news. Its own entry point: apps that do not import
 * it ship none of it.
 * @see https://openid.net/specs/openid-connect-session-1_0.html#ChangeNotification
 */
export function monitorSession(client: AuthClient, o: SessionMonitorOptions = {}): SessionMonitor {
  const inner = (client as Partial<WithInternals>)[INTERNALS];
  let state: SessionMonitorState = 'off';
  const monitor = {
    get state() {
      return state;
    },
    dispose: () => {},
  };
  // Where there is no browser (server-side rendering: an inert client) there is nothing to watch.
  if (!inner || typeof BroadcastChannel !== 'function') return monitor;
  const { config: c } = inner;
  const interval = o.interval ?? 2000;
  const stopped = new AbortController();
  const channel = new BroadcastChannel(`${c.key}:monitor`);
  const said = new Set<string>();
  const note = (off: string) => {
    if (!said.has(off)) c.log({ step: 'monitor', off });
    said.add(off);
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

  let leading = false;
  let frame: HTMLIFrameElement | undefined;
  let origin = '';
  let loaded: Promise<unknown> | undefined;
  let busy = false;
  let holdUntil = 0;
  let lastTick = 0;
  // The session_state the last question was about: an answer about an older one means nothing.
  let asked = '';
  let unanswered = 0;

  const stop = (why: string) => {
    note(why);
    state = 'off';
    frame?.remove();
    frame = undefined;
    clearInterval(timer);
    channel.postMessage({ t: 'off' });
  };

  const loadFrame = (url: string) =>
    (loaded ??= new Promise((resolve, reject) => {
      const f = document.createElement('iframe');
      frame = f;
      origin = new URL(url).origin;
      const late = setTimeout(() => reject(new Error('load timeout')), LOAD_TIMEOUT_MS);
      f.onload = () => resolve(clearTimeout(late));
      f.setAttribute('aria-hidden', 'true');
      f.tabIndex = -1;
      f.title = 'connect-pkce session check';
      f.style.cssText = 'position:absolute;width:0;height:0;border:0;visibility:hidden';
      f.src = url;
      document.body.appendChild(f);
    }));

  /** Asks the provider's iframe about the current session, if there is something to ask and a way to. */
  const tick = async () => {
    if (!leading || busy || state === 'off' || Date.now() - lastTick < interval / 2) return;
    lastTick = Date.now();
    busy = true;
    try {
      const url = (await inner.server()).check_session_iframe;
      if (!url) return stop('no check_session_iframe');
      const s = await client.getSession();
      const path = client.silentRenewal;
      if (path === 'unavailable') return stop('third-party cookies blocked');
      if (path === 'refresh_token') return stop('refresh-token session');
      state = 'waiting';
      if (!s?.sessionState || path !== 'iframe') return;
      const ready = await loadFrame(url).then(
        () => true,
        () => false,
      );
      if (!ready) return stop('check_session_iframe did not load');
      if (unanswered++ >= MUTE_AFTER) return stop('check_session_iframe does not answer');
      state = 'checking';
      asked = s.sessionState;
      frame?.contentWindow?.postMessage(`${c.clientId} ${asked}`, origin);
    } catch {
      // Discovery failed (offline): the next tick tries again.
    } finally {
      busy = false;
    }
  };

  /** "changed": one silent renewal tells whether the provider session still holds this user. */
  const changed = async (about: string) => {
    if (busy || Date.now() < holdUntil) return;
    busy = true;
    try {
      // Renewed meanwhile (in another tab, say): the next tick asks about the new session_state.
      if ((await client.getSession())?.sessionState !== about) return;
      c.log({ step: 'monitor', changed: true });
      await client.renew();
    } catch (e) {
      const err = e as AuthError;
      if (!needsInteraction(err)) {
        holdUntil = Date.now() + RETRY_MS;
        return;
      }
      const end = { code: err.code, message: err.message };
      c.log({ step: 'monitor', ended: err.code });
      channel.postMessage({ t: 'ended', ...end });
      await client.logout({ endSession: false });
      ended(end);
    } finally {
      busy = false;
    }
  };

  const onAnswer = (e: MessageEvent) => {
    if (!frame || e.source !== frame.contentWindow || e.origin !== origin) return;
    unanswered = 0;
    if (e.data === 'error') stop('the provider answered error');
    else if (e.data === 'changed') void changed(asked);
  };

  const visible = () => document.visibilityState === 'visible';
  // The checking tab may be in the background, where browsers slow timers to once a minute: visible tabs nudge it.
  const nudge = () => {
    if (leading) void tick();
    else if (visible()) channel.postMessage({ t: 'check' });
  };
  channel.onmessage = ({ data }: MessageEvent) => {
    if (data?.t === 'check') void tick();
    else if (data?.t === 'ended') ended({ code: data.code, message: String(data.message) });
    else if (data?.t === 'off' && !leading) state = 'off';
  };
  const timer = setInterval(nudge, interval);
  const onVisibility = () => visible() && nudge();
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
    // Held until dispose; the next tab in the queue takes over when this one closes.
    locks
      .request(`${c.key}:monitor`, { signal: stopped.signal }, () => {
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
    frame?.remove();
    channel.close();
    removeEventListener('message', onAnswer);
    document.removeEventListener('visibilitychange', onVisibility);
    inner.signal.removeEventListener('abort', monitor.dispose);
  };
  inner.signal.addEventListener('abort', monitor.dispose);
  return monitor;
}
