import type { SessionStore } from '../../../src/index.js';
import type { StoredSession } from '../../../src/session.js';

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

/** The same login's session renewed a second later, with `token`: what another tab's renewal broadcasts. */
export const renewedFrom = (s: StoredSession, token: string): StoredSession => ({
  ...s,
  accessToken: token,
  receivedAt: s.receivedAt + 1_000,
  expiresAt: s.expiresAt + 1_000,
});
