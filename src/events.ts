import type { AuthError } from './errors.js';
import type { Session } from './session.js';

/** The events a client emits, and what each handler receives. */
export interface AuthEvents {
  /** A new session was stored: after login, a renewal, or handed over by another tab. */
  token: Session;
  /** The session was cleared: `logout()` here or in another tab. */
  logout: undefined;
  /** The access token expires within `renewBeforeExpiry`; a renewal follows when automatic renewal is on. */
  expiring: Session;
  /** The access token ran out with no replacement. */
  expired: Session;
  /** A renewal failed (manual or automatic). */
  renewError: AuthError;
}

export type AuthEventName = keyof AuthEvents;
export type Handler<E extends AuthEventName> = (value: AuthEvents[E]) => void;

/** A minimal typed emitter. A throwing handler is reported, never allowed to break the SDK's own flow. */
export class Emitter {
  private readonly handlers = new Map<AuthEventName, Set<Handler<never>>>();

  /** Subscribes; returns the function that unsubscribes. */
  on<E extends AuthEventName>(event: E, handler: Handler<E>): () => void {
    const set = this.handlers.get(event) ?? new Set();
    this.handlers.set(event, set);
    set.add(handler as Handler<never>);
    return () => void set.delete(handler as Handler<never>);
  }

  emit<E extends AuthEventName>(event: E, value: AuthEvents[E]): void {
    for (const h of [...(this.handlers.get(event) ?? [])]) {
      try {
        (h as Handler<E>)(value);
      } catch (e) {
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }

  clear(): void {
    this.handlers.clear();
  }
}
