import type { StoredSession } from './session.js';

/** Messages between tabs of one app: a session, a question for sessions, an answer, a logout, a goodbye. */
type Message =
  | { t: 'session'; from: string; s: StoredSession }
  | { t: 'ask'; from: string }
  | { t: 'answer'; from: string; to: string; s: StoredSession | null }
  | { t: 'logout'; from: string }
  | { t: 'bye'; from: string };

export interface TabSyncHooks {
  /** This tab's current session, to answer other tabs. */
  current(): StoredSession | null;
  /** Another tab stored a session. */
  onSession(s: StoredSession): void;
  /** Another tab logged out. */
  onLogout(): void;
}

export interface TabSync {
  /**
   * Asks the other tabs for their sessions and resolves with the newest (or null). With `any`, the first answer
   * that carries a session settles it (a new tab looking for one); otherwise it waits for every known tab.
   */
  ask(any?: boolean): Promise<StoredSession | null>;
  /** Runs `fn` while this app's renew lock is held, in this tab and all others. */
  withLock<T>(fn: () => Promise<T>): Promise<T>;
  /** Tells the other tabs about a new session. */
  publish(s: StoredSession): void;
  /** Tells the other tabs to sign out. */
  publishLogout(): void;
  close(): void;
}

/**
 * How long a new tab waits for any other tab to hand it a session: often there is none, so this is short.
 * Tabs answer within milliseconds unless the machine is very busy or they are frozen.
 */
const ANSWER_WAIT_MS = 150;
/** How long a renewing tab waits for every tab it knows of: they exist, and a missed answer costs a renewal. */
const PEER_WAIT_MS = 1000;

/** The newer of two sessions, by expiry. */
export const newerSession = (a: StoredSession | null, b: StoredSession | null): StoredSession | null =>
  b && (!a || b.expiresAt > a.expiresAt) ? b : a;

/**
 * Cross-tab coordination for one app (one authority and client on one origin), so that all its tabs share one
 * session and renew it once per cycle:
 * - a Web Lock (`navigator.locks`) around every renewal: the tabs that wait re-check for a newer session after
 *   taking it, and join the renewal that just happened instead of starting another;
 * - a BroadcastChannel that carries new sessions and logouts to the other tabs and answers a new tab's question
 *   for the current session. After taking the lock a tab asks the others directly rather than trusting its
 *   storage, because another tab's localStorage write may reach it only after the lock has changed hands.
 * Where Web Locks is missing, a short random delay plus the same question keeps duplicate renewals rare.
 */
export function createTabSync(name: string, hooks: TabSyncHooks): TabSync {
  const id = Math.random().toString(36).slice(2);
  const channel = new BroadcastChannel(name);
  /** Tabs heard from and not gone: the ones a question waits for. */
  const peers = new Set<string>();
  const waiting = new Set<(m: Message & { t: 'answer' }) => void>();
  let closed = false;

  // After close() (a client disposed, e.g. by React StrictMode right after creation) there is no one to tell.
  const post = (m: Message) => closed || channel.postMessage(m);
  const bye = () => post({ t: 'bye', from: id });
  // Back from the back-forward cache or from being frozen: announce ourselves again.
  const hello = (e: Event) => (e.type === 'resume' || (e as PageTransitionEvent).persisted) && post({ t: 'ask', from: id });

  channel.onmessage = ({ data: m }: MessageEvent<Message>) => {
    if (!m || typeof m !== 'object' || m.from === id) return;
    if (m.t === 'bye') return void peers.delete(m.from);
    peers.add(m.from);
    if (m.t === 'ask') post({ t: 'answer', from: id, to: m.from, s: hooks.current() });
    else if (m.t === 'answer' && m.to === id) for (const w of waiting) w(m);
    else if (m.t === 'session') hooks.onSession(m.s);
    else if (m.t === 'logout') hooks.onLogout();
  };
  // A tab that goes away or is frozen (Page Lifecycle) says so, so that no renewal waits for its answer.
  addEventListener('pagehide', bye);
  addEventListener('pageshow', hello);
  document.addEventListener('freeze', bye);
  document.addEventListener('resume', hello);

  return {
    ask(any = false) {
      if (closed || (!any && !peers.size)) return Promise.resolve(null);
      return new Promise((resolve) => {
        let best: StoredSession | null = null;
        const pending = new Set(peers);
        const done = () => {
          clearTimeout(timer);
          waiting.delete(onAnswer);
          resolve(best);
        };
        const onAnswer = (m: Message & { t: 'answer' }) => {
          best = newerSession(best, m.s);
          pending.delete(m.from);
          if (any ? best : !pending.size) done();
        };
        const timer = setTimeout(done, any ? ANSWER_WAIT_MS : PEER_WAIT_MS);
        waiting.add(onAnswer);
        post({ t: 'ask', from: id });
      });
    },
    async withLock(fn) {
      if (navigator.locks) return navigator.locks.request(`${name}:renew`, fn);
      await new Promise((r) => setTimeout(r, Math.random() * ANSWER_WAIT_MS));
      return fn();
    },
    publish: (s) => post({ t: 'session', from: id, s }),
    publishLogout: () => post({ t: 'logout', from: id }),
    close() {
      bye();
      closed = true;
      removeEventListener('pagehide', bye);
      removeEventListener('pageshow', hello);
      document.removeEventListener('freeze', bye);
      document.removeEventListener('resume', hello);
      channel.close();
    },
  };
}
