import { type AuthError, isTransient } from './errors.js';
import type { StoredSession } from './session.js';

/** What the scheduler needs from the client. */
export interface SchedulerHooks {
  /** The session to keep fresh, or null. A new object means a new cycle. */
  session(): StoredSession | null;
  /** Renew in the background (false: only the events fire). */
  automatic: boolean;
  /** `renewBeforeExpiry`, ms. */
  lead: number;
  expiring(s: StoredSession): void;
  expired(s: StoredSession): void;
  /** Runs one renewal; rejects with an AuthError. */
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
const WAKE_EVENTS = ['visibilitychange', 'focus', 'online', 'pageshow'];

/** When to renew a session: `lead` before expiry, clamped to half the token's lifetime. */
export const renewalLead = (s: StoredSession, lead: number): number => Math.min(lead, (s.expiresAt - s.receivedAt) / 2);

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
 * renewal due while the laptop slept or the tab was throttled happens at the next check. Transient failures are
 * retried with backoff; any other failure stops renewing this session until a new one arrives.
 */
export function createScheduler(h: SchedulerHooks): Scheduler {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let cycle: StoredSession | null = null;
  let jitter = 0;
  let attempt = 0;
  let retryAt = 0;
  let stopped = false;
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
      attempt = retryAt = 0;
      stopped = firedExpiring = firedExpired = false;
    }
    const now = Date.now();
    const lead = renewalLead(s, h.lead);
    const dueAt = s.expiresAt - lead - jitter * lead;
    if (now >= s.expiresAt && !firedExpired) {
      firedExpired = true;
      h.expired(s);
    }
    if (now >= dueAt) {
      if (!firedExpiring) {
        firedExpiring = true;
        h.expiring(s);
      }
      if (h.automatic && !stopped && !running && now >= retryAt) {
        running = true;
        h.renew()
          .catch((e: AuthError) => {
            if (s !== cycle) return;
            if (isTransient(e)) retryAt = Date.now() + backoff(++attempt, s.expiresAt - Date.now());
            else stopped = true;
          })
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
    if (e.type === 'online') retryAt = 0;
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
