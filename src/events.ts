import type { AuthError } from './errors.js';
import type { Session } from './session.js';
import type { SilentRenewal } from './silent-renewal.js';

/** What `interactionRequired` carries: why the SDK cannot renew alone, and how long the token still has. */
export interface InteractionRequired {
  /** The failure (`login_required` and kin). */
  error: AuthError;
  /** When the access token expires, ms since the epoch. */
  expiresAt: number;
  /** Milliseconds left until then. */
  timeLeft: number;
}

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
  /**
   * The session cannot be renewed without the user, and its token still works for `timeLeft` ms: time to offer a
   * "Continue session" button that calls `renewWithPopup()` (a click keeps the page and its state). If the app does
   * nothing, `onSilentRenewFailure` applies once the token is due.
   */
  interactionRequired: InteractionRequired;
  /** How this client renews in this browser changed (learnt after a login, or a refresh token arrived). */
  silentRenewal: SilentRenewal;
}

/** The name of an event: a key of {@link AuthEvents}. */
export type AuthEventName = keyof AuthEvents;
/** A handler of event `E`, as `on(event, handler)` takes it. */
export type Handler<E extends AuthEventName> = (value: AuthEvents[E]) => void;

/** A minimal typed emitter. */
export interface Emitter {
  /** Subscribes; returns the function that unsubscribes. */
  on<E extends AuthEventName>(event: E, handler: Handler<E>): () => void;
  /** Calls every handler; one that throws is reported, never allowed to break the SDK's own flow. */
  emit<E extends AuthEventName>(event: E, value: AuthEvents[E]): void;
  /** Drops every handler. */
  clear(): void;
}

export function createEmitter(): Emitter {
  // Loosely typed inside; the interface keeps each event's handler and value paired for callers.
  type AnyHandler = (value: unknown) => void;
  let handlers: Record<string, Set<AnyHandler>> = {};
  return {
    on(event, handler) {
      handlers[event] ??= new Set();
      const set = handlers[event];
      set.add(handler as AnyHandler);
      return () => void set.delete(handler as AnyHandler);
    },
    emit(event, value) {
      for (const h of [...(handlers[event] ?? [])]) {
        try {
          h(value);
        } catch (e) {
          queueMicrotask(() => {
            throw e;
          });
        }
      }
    },
    clear: () => {
      handlers = {};
    },
  };
}
