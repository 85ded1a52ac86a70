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
