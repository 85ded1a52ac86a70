import { type AuthError, isTransient } from './errors.js';
import type { StoredSession } from './session.js';

/**
 * What the last renewal failure of a session means for the next attempt, shared by the scheduler and by every
 * app-driven call (`getAccessToken()`), so that neither can retry faster than the other: a transient failure
 * (network, timeout, 5xx) holds renewals of that session back for a backoff; any other failure holds them until a
 * new session arrives (a login, another tab's renewal) or the app calls `renew()` itself.
 */
export interface FailureMemory {
  /** The failure that holds renewals of `s` back now, or undefined. */
  holding(s: StoredSession | null): AuthError | undefined;
  /** When renewing `s` may be tried again: 0 for now, a time, or Infinity. */
  retryAt(s: StoredSession | null): number;
  /** Records a failed renewal of `s`. */
  failed(s: StoredSession | null, e: AuthError): void;
  /** Back online: a transient failure's backoff ends now. */
  online(): void;
}

export function createFailureMemory(): FailureMemory {
  let last: { s: StoredSession | null; error: AuthError; attempt: number; until: number } | undefined;
  const of = (s: StoredSession | null) => (last && last.s === s ? last : undefined);
  return {
    holding: (s) => {
      const f = of(s);
      return f && Date.now() < f.until ? f.error : undefined;
    },
    retryAt: (s) => of(s)?.until ?? 0,
    failed(s, error) {
      const attempt = (of(s)?.attempt ?? 0) + 1;
      const until = isTransient(error) ? Date.now() + backoff(attempt, s ? s.expiresAt - Date.now() : 0) : Infinity;
      last = { s, error, attempt, until };
    },
    online() {
      if (last && last.until < Infinity) last.until = 0;
    },
  };
}

/** What the scheduler needs from the client. */
export interface SchedulerHooks {
  /** The session to keep fresh, or null. A new object means a new cycle. */
  session(): StoredSession | null;
  /** Renew in the background (false: only the events fire). */
  automatic: boolean;
  /** `renewBeforeExpiry`, ms. */
  lead: number;
  /** The failures shared with the client's app-driven renewals. */
  failures: FailureMemory;
  expiring(s: StoredSession): void;
  expired(s: StoredSession): void;
  /** Runs one renewal (recording a failure in `failures`); its result is not the scheduler's concern. */
  renew(): Promise<unknown>;
}

export interface Scheduler {
  /** Re-evaluates now; call it whenever the session changes. */
  check(): void;
  /** Stops for good: no timer, no listener, no renewal after this. */
  dispose(): void;
}

/** Timers are capped so a throttled or suspended page never relies on one long timeout. */
const MAX_TIMER_MS = 30_000;
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 60_000;
/**
 * No session is due for renewal sooner than this after it arrived, whatever its lifetime says: a provider that
 * answers `expires_in: 0` (or a lifetime shorter than the lead) gets one renewal per interval, not a storm.
 */
const MIN_RENEW_INTERVAL_MS = 2_000;
const WAKE_EVENTS = ['visibilitychange', 'focus', 'online', 'pageshow'];

/** When to renew a session: `lead` before expiry, clamped to half the token's lifetime. */
export const renewalLead = (s: StoredSession, lead: number): number => Math.min(lead, (s.expiresAt - s.receivedAt) / 2);

/** When `s` is due for renewal: its lead (plus a `spread` fraction of it, for jitter) before expiry. */
export const renewalDueAt = (s: StoredSession, lead: number, spread = 0): number => {
  const l = renewalLead(s, lead);
  return Math.max(s.expiresAt - l - spread * l, s.receivedAt + MIN_RENEW_INTERVAL_MS);
};

/**
 * Delay before retry number `attempt` (1-based) of a transient failure: exponential from about a second with
 * jitter, at most a minute, and never past half the time the token has left, so a token close to expiry is still
 * retried within seconds.
 */
export function backoff(attempt: number, msLeft: number): number {
  const exp = Math.min(BACKOFF_BASE_MS * 2 ** (attempt - 1), BACKOFF_MAX_MS);
  const jittered = exp / 2 + (Math.random() * exp) / 2;
  return Math.max(BACKOFF_BASE_MS / 2, msLeft > 0 ? Math.min(jittered, msLeft / 2) : jittered);
}

/**
 * Decides from the wall clock (`Date.now()` against `expiresAt`) when to fire `expiring`, renew, retry and fire
 * `expired`. It re-checks on a capped timer and whenever the page wakes (visible, focused, online, restored), so a
 * renewal due while the laptop slept or the tab was throttled happens at the next check. When to retry after a
 * failure comes from the shared {@link FailureMemory}.
 */
export function createScheduler(h: SchedulerHooks): Scheduler {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let cycle: StoredSession | null = null;
  let jitter = 0;
  let running = false;
  let firedExpiring = false;
  let firedExpired = false;
  let disposed = false;

  const check = (): void => {
    clearTimeout(timer);
    const s = h.session();
    if (disposed || !s) return;
    if (s !== cycle) {
      // A new session: a new cycle. Up to 10 % of the lead earlier spreads the renewals of many clients.
      cycle = s;
      jitter = Math.random() * 0.1;
      firedExpiring = firedExpired = false;
    }
    const now = Date.now();
    const dueAt = renewalDueAt(s, h.lead, jitter);
    const retryAt = h.failures.retryAt(s);
    if (now >= s.expiresAt && !firedExpired) {
      firedExpired = true;
      h.expired(s);
    }
    if (now >= dueAt) {
      if (!firedExpiring) {
        firedExpiring = true;
        h.expiring(s);
      }
      if (h.automatic && !running && now >= retryAt) {
        running = true;
        h.renew()
          .catch(() => {})
          .finally(() => {
            running = false;
            check();
          });
      }
    }
    const next = Math.min(...[dueAt, retryAt, s.expiresAt].filter((t) => t > now));
    if (next < Infinity) timer = setTimeout(check, Math.min(next - now, MAX_TIMER_MS));
  };
  const wake = (e: Event) => {
    if (e.type === 'online') h.failures.online();
    check();
  };
  for (const t of WAKE_EVENTS) addEventListener(t, wake);

  return {
    check,
    dispose() {
      disposed = true;
      clearTimeout(timer);
      for (const t of WAKE_EVENTS) removeEventListener(t, wake);
    },
  };
}
