import { isStoredSession, newerSession, type StoredSession } from './session.js';

/** The message format's version: tabs running another version of the SDK (mid-deploy) ignore each other. */
const V = 1;

/** Messages between tabs of one app: a session, a question for sessions, an answer, a logout, a goodbye. */
type Message = { v: typeof V; from: string } & (
  | { t: 'session'; s: StoredSession }
  | { t: 'ask' }
  | { t: 'answer'; to: string; s: StoredSession | null }
  | { t: 'logout'; at: number }
  | { t: 'bye' }
);
type Answer = Message & { t: 'answer' };

export interface TabSyncHooks {
  /** This tab's current session, to answer other tabs. */
  current(): StoredSession | null;
  /** Another tab obtained a session (its shape checked; whether to take it is the client's decision). */
  onSession(s: StoredSession): void;
  /** Another tab logged out at `at` (its logout marker). */
  onLogout(at: number): void;
}

/**
 * Whom {@link TabSync.ask} waits for: `'any'`, the first answer that carries a session (a new tab looking for
 * one); `'known'`, every tab heard from (none: no question at all); `'handover'`, every tab heard from, or, when
 * none is known, the first answer: after waiting for the renew lock, another tab certainly exists or existed.
 */
export type AskMode = 'any' | 'known' | 'handover';

export interface TabSync {
  /** Asks the other tabs for their sessions and resolves with the newest (or null). */
  ask(mode: AskMode): Promise<StoredSession | null>;
  /**
   * Runs `fn` while this app's renew lock is held, in this tab and all others. `fn` learns whether it had to
   * wait for another tab's turn (then that tab may just have renewed).
   */
  withLock<T>(fn: (waited: boolean) => Promise<T>): Promise<T>;
  /** Tells the other tabs about a new session. */
  publish(s: StoredSession): void;
  /** Tells the other tabs to sign out: a logout marked at `at`. */
  publishLogout(at: number): void;
  close(): void;
}

/**
 * How long a question waits when any answer will do: often there is none, so this is short. Tabs answer within
 * milliseconds unless the machine is very busy or they are frozen.
 */
const ANSWER_WAIT_MS = 150;
/** After the first answer with a session, how long a question that any answer would do waits for newer ones. */
const ANSWER_GRACE_MS = 25;
/** How long a renewing tab waits for every tab it knows of: they exist, and a missed answer costs a renewal. */
const PEER_WAIT_MS = 1000;

/** A message of this version whose session, if any, has the right shape; anything else is dropped. */
const valid = (m: Message | null): m is Message =>
  !!m && typeof m === 'object' && m.v === V && typeof m.from === 'string' &&
  (!('s' in m) || m.s === null || isStoredSession(m.s)) &&
  (m.t !== 'logout' || Number.isFinite(m.at));

/**
 * Cross-tab coordination for one app (one session key on one origin), so that all its tabs share one session and
 * renew it once per cycle:
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
  const waiting = new Set<(m: Answer) => void>();
  let closed = false;

  // After close() (a client disposed, e.g. by React StrictMode right after creation) there is no one to tell.
  const post = (m: Message) => closed || channel.postMessage(m);
  const bye = () => post({ v: V, t: 'bye', from: id });
  // Back from the back-forward cache or from being frozen: announce ourselves again.
  const hello = (e: Event) =>
    (e.type === 'resume' || (e as PageTransitionEvent).persisted) && post({ v: V, t: 'ask', from: id });

  channel.onmessage = ({ data: m }: MessageEvent<Message | null>) => {
    if (!valid(m) || m.from === id) return;
    if (m.t === 'bye') return void peers.delete(m.from);
    peers.add(m.from);
    if (m.t === 'ask') post({ v: V, t: 'answer', from: id, to: m.from, s: hooks.current() });
    else if (m.t === 'answer') {
      if (m.to === id) for (const w of waiting) w(m);
    } else if (m.t === 'session') hooks.onSession(m.s);
    else if (m.t === 'logout') hooks.onLogout(m.at);
  };
  // A tab that goes away or is frozen (Page Lifecycle) says so, so that no renewal waits for its answer.
  addEventListener('pagehide', bye);
  addEventListener('pageshow', hello);
  document.addEventListener('freeze', bye);
  document.addEventListener('resume', hello);

  return {
    ask(mode) {
      const any = mode === 'any' || (mode === 'handover' && !peers.size);
      if (closed || (!any && !peers.size)) return Promise.resolve(null);
      return new Promise((resolve) => {
        let best: StoredSession | null = null;
        const pending = new Set(peers);
        const done = (timedOut: boolean) => {
          clearTimeout(timer);
          waiting.delete(onAnswer);
          // A known tab that did not answer in a second vanished without a goodbye (crashed, killed): later
          // questions stop waiting for it. It is known again as soon as it speaks.
          if (timedOut && !any) for (const p of pending) peers.delete(p);
          resolve(best);
        };
        const onAnswer = (m: Answer) => {
          const first = !best;
          best = newerSession(best, m.s);
          pending.delete(m.from);
          if (!any && !pending.size) done(false);
          // The first session to arrive need not be the newest (a tab back from the bfcache may hold an earlier
          // login's): the other tabs get a moment more to answer, and the newest wins.
          else if (any && first && best) {
            clearTimeout(timer);
            timer = setTimeout(() => done(false), ANSWER_GRACE_MS);
          }
        };
        let timer = setTimeout(() => done(true), any ? ANSWER_WAIT_MS : PEER_WAIT_MS);
        waiting.add(onAnswer);
        post({ v: V, t: 'ask', from: id });
      });
    },
    async withLock(fn) {
      const locks = navigator.locks;
      if (!locks) {
        await new Promise((r) => setTimeout(r, Math.random() * ANSWER_WAIT_MS));
        return fn(true);
      }
      const lock = `${name}:renew`;
      // Taken at once when free; otherwise queued, and the holder's renewal is what this tab then looks for.
      return locks.request(lock, { ifAvailable: true }, (free) => (free ? fn(false) : locks.request(lock, () => fn(true))));
    },
    publish: (s) => post({ v: V, t: 'session', from: id, s }),
    publishLogout: (at) => post({ v: V, t: 'logout', from: id, at }),
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
