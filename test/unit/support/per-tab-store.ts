import type { SessionStore } from '../../../src/index.js';

/** A per-tab store: stands in for one tab's own sessionStorage (happy-dom has one sessionStorage for every "tab"). */
export function perTabStore(): SessionStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    get: (k) => data.get(k) ?? null,
    set: (k, v) => void data.set(k, v),
    remove: (k) => void data.delete(k),
  };
}
