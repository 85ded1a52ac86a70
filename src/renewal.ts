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

/** Timers are capped so a throttled or suspended page never relies on one long timeout. */
const MAX_TIMER_MS = 30_000;
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 60_000;
const WAKE_EVENTS = ['visibilitychange', 'focus', 'online', 'pageshow'] as const;

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
export class RenewalScheduler {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private cycle: StoredSession | null = null;
  private jitter = 0;
  private attempt = 0;
  private retryAt = 0;
  private stopped = false;
  private running = false;
  private firedExpiring = false;
  private firedExpired = false;
  private disposed = false;
  private readonly wake = (e: Event) => {
    if (e.type === 'online') this.retryAt = 0;
    this.check();
  };

  constructor(private readonly h: SchedulerHooks) {
    for (const t of WAKE_EVENTS) addEventListener(t, this.wake);
  }

  /** Re-evaluates now; call it whenever the session changes. */
  check = (): void => {
    clearTimeout(this.timer);
    if (this.disposed) return;
    const s = this.h.session();
    if (s !== this.cycle) this.startCycle(s);
    if (!s) return;
    const now = Date.now();
    const lead = renewalLead(s, this.h.lead);
    const dueAt = s.expiresAt - lead - this.jitter * lead;
    if (now >= s.expiresAt && !this.firedExpired) {
      this.firedExpired = true;
      this.h.expired(s);
    }
    if (now >= dueAt) {
      if (!this.firedExpiring) {
        this.firedExpiring = true;
        this.h.expiring(s);
      }
      if (this.h.automatic && !this.stopped && !this.running && now >= this.retryAt) this.run(s);
    }
    const next = [dueAt, this.retryAt, s.expiresAt].filter((t) => t > now);
    if (next.length) this.timer = setTimeout(this.check, Math.min(Math.min(...next) - now, MAX_TIMER_MS));
  };

  private startCycle(s: StoredSession | null) {
    this.cycle = s;
    // Up to 10 % of the lead earlier: spreads the renewals of many clients that logged in at the same moment.
    this.jitter = Math.random() * 0.1;
    this.attempt = this.retryAt = 0;
    this.stopped = this.firedExpiring = this.firedExpired = false;
  }

  private run(s: StoredSession) {
    this.running = true;
    this.h
      .renew()
      .catch((e: AuthError) => {
        if (s !== this.cycle) return;
        if (isTransient(e)) this.retryAt = Date.now() + backoff(++this.attempt, s.expiresAt - Date.now());
        else this.stopped = true;
      })
      .finally(() => {
        this.running = false;
        this.check();
      });
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    for (const t of WAKE_EVENTS) removeEventListener(t, this.wake);
    this.cycle = null;
  }
}
