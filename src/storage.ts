/**
 * A place to keep the session: the built-in stores wrap the Web Storage API, and apps may bring their own
 * (IndexedDB, an encrypted store, …). Each method may be sync or async.
 */
export interface SessionStore {
  get(key: string): string | null | undefined | Promise<string | null | undefined>;
  set(key: string, value: string): void | Promise<void>;
  remove(key: string): void | Promise<void>;
}

/** `'session'`: this tab, until it closes. `'local'`: every tab, across restarts. `'memory'`: this page only. */
export type StorageOption = 'session' | 'local' | 'memory' | SessionStore;

/** A store in this page's memory: gone on reload (other tabs can still hand the session over). */
export function memoryStore(): SessionStore {
  const m = new Map<string, string>();
  return { get: (k) => m.get(k), set: (k, v) => void m.set(k, v), remove: (k) => void m.delete(k) };
}

let warned = false;
/** Reports once per page that Web Storage failed and the SDK fell back to memory. */
function warnOnce(cause: unknown) {
  if (!warned) console.warn('connect-pkce: Web Storage is unavailable, keeping the session in memory', cause);
  warned = true;
}

/**
 * Wraps `sessionStorage` or `localStorage`. Storage can be missing or throw at any call (disabled cookies, private
 * mode, quota): from the first failure on, the store keeps working in memory, with one warning.
 */
export function webStore(kind: 'session' | 'local'): SessionStore {
  let fallback: SessionStore | undefined;
  const run = <T>(op: (s: Storage) => T, mem: (m: SessionStore) => T): T => {
    if (!fallback) {
      try {
        return op(globalThis[`${kind}Storage`]);
      } catch (cause) {
        warnOnce(cause);
        fallback = memoryStore();
      }
    }
    return mem(fallback);
  };
  return {
    get: (k) => run((s) => s.getItem(k), (m) => m.get(k) as string | undefined),
    set: (k, v) => run((s) => s.setItem(k, v), (m) => m.set(k, v) as undefined),
    remove: (k) => run((s) => s.removeItem(k), (m) => m.remove(k) as undefined),
  };
}

/** The store an option names. */
export const resolveStore = (o: StorageOption): SessionStore =>
  typeof o === 'object' ? o : o === 'memory' ? memoryStore() : webStore(o);

