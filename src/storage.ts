import { type LoginRef, parseSession, type StoredSession } from './session.js';

/**
 * A place to keep the session: the built-in stores wrap the Web Storage API, and apps may bring their own
 * (IndexedDB, an encrypted store, …). Each method may be sync or async.
 */
export interface SessionStore {
  get(key: string): string | null | undefined | Promise<string | null | undefined>;
  set(key: string, value: string): void | Promise<void>;
  remove(key: string): void | Promise<void>;
}

/** A store whose methods answer at once: the built-in Web Storage wrappers. */
export interface SyncStore extends SessionStore {
  get(key: string): string | null | undefined;
  set(key: string, value: string): void;
  remove(key: string): void;
}

/** `'session'`: this tab, until it closes. `'local'`: every tab, across restarts. `'memory'`: this page only. */
export type StorageOption = 'session' | 'local' | 'memory' | SessionStore;

/** A store in this page's memory: gone on reload (other tabs can still hand the session over). */
export function memoryStore(): SessionStore {
  const m = new Map<string, string>();
  return { get: (k) => m.get(k), set: (k, v) => void m.set(k, v), remove: (k) => void m.delete(k) };
}

let warned = false;
/**
 * Reports once per page that storage failed and the SDK keeps the session in memory. Only the error's name is
 * logged: a custom store's message could quote the value it was given, and so a token.
 */
export function warnOnce(cause: unknown): void {
  if (!warned) console.warn('connect-pkce: storage failed, keeping the session in memory:', (cause as Error)?.name);
  warned = true;
}

/**
 * Wraps `sessionStorage` or `localStorage`. Storage can be missing or throw at any call (disabled cookies, private
 * mode, quota): a value that cannot be written is kept in memory instead (one warning per page), reads prefer
 * that copy, and removal always clears both, so a logout after a failed write still leaves nothing behind.
 */
export function webStore(kind: 'session' | 'local'): SyncStore {
  const memory = new Map<string, string>();
  const attempt = <T>(op: (s: Storage) => T): T | undefined => {
    try {
      return op(globalThis[`${kind}Storage`]);
    } catch (cause) {
      warnOnce(cause);
      return undefined;
    }
  };
  return {
    get: (k) => (memory.has(k) ? memory.get(k) : attempt((s) => s.getItem(k))),
    set(k, v) {
      const written = attempt((s) => {
        s.setItem(k, v);
        return true;
      });
      if (written) memory.delete(k);
      else memory.set(k, v);
    },
    remove(k) {
      memory.delete(k);
      attempt((s) => s.removeItem(k));
    },
  };
}

/** The store an option names. */
export const resolveStore = (o: StorageOption): SessionStore =>
  typeof o === 'object' ? o : o === 'memory' ? memoryStore() : webStore(o);


/** The app's session in its store: read, written and removed under one key, never throwing. */
export interface SessionSlot {
  /**
   * The stored session. An unreadable store (sync throw or rejection) reads as none, with the one warning; a
   * session from before the last logout (this tab's own copy, which the logout could not reach) is deleted.
   */
  read(): Promise<StoredSession | null>;
  /** Stores `s`; a failing custom store keeps it in memory and in the other tabs only (one warning). */
  save(s: StoredSession): Promise<void>;
  remove(): Promise<void>;
}

/** `refuses`: whether a stored session belongs to a login that a logout (or a newer login) ended (signed-out.ts). */
export function sessionSlot(store: SessionStore, key: string, refuses: (s: LoginRef) => boolean): SessionSlot {
  // Each store call may throw synchronously or reject.
  const attempt = <T>(op: () => T | Promise<T>) => Promise.resolve().then(op);
  const slot: SessionSlot = {
    read: () =>
      attempt(() => store.get(key)).then(
        async (raw) => {
          const s = parseSession(raw);
          if (!s || !refuses(s)) return s;
          await slot.remove();
          return null;
        },
        (e) => {
          warnOnce(e);
          return null;
        },
      ),
    save: (s) => attempt(() => store.set(key, JSON.stringify(s))).catch(warnOnce),
    remove: () => attempt(() => store.remove(key)).catch(warnOnce),
  };
  return slot;
}
