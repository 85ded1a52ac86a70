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

/** How long a tab waits for other tabs to answer. They answer within milliseconds unless frozen. */
const ANSWER_WAIT_MS = 150;

const newer = (a: StoredSession | null, b: StoredSession | null) => (b && (!a || b.expiresAt > a.expiresAt) ? b : a);

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
export class TabSync {
  private readonly id = Math.random().toString(36).slice(2);
  private readonly channel: BroadcastChannel;
  /** Tabs heard from and not gone: the ones a question waits for. */
  private readonly peers = new Set<string>();
  private readonly waiting = new Set<(m: Message & { t: 'answer' }) => void>();
  private readonly onPageHide = () => this.post({ t: 'bye', from: this.id });
  private readonly onPageShow = (e: PageTransitionEvent) => e.persisted && this.post({ t: 'ask', from: this.id });

  constructor(
    private readonly name: string,
    private readonly hooks: TabSyncHooks,
  ) {
    this.channel = new BroadcastChannel(name);
    this.channel.onmessage = (e: MessageEvent<Message>) => this.receive(e.data);
    addEventListener('pagehide', this.onPageHide);
    addEventListener('pageshow', this.onPageShow);
  }

  private closed = false;

  private post(m: Message) {
    // After close() (a client disposed, e.g. by React StrictMode right after creation) there is no one to tell.
    if (!this.closed) this.channel.postMessage(m);
  }

  private receive(m: Message) {
    if (!m || typeof m !== 'object' || m.from === this.id) return;
    if (m.t === 'bye') {
      this.peers.delete(m.from);
      return;
    }
    this.peers.add(m.from);
    if (m.t === 'ask') this.post({ t: 'answer', from: this.id, to: m.from, s: this.hooks.current() });
    else if (m.t === 'answer' && m.to === this.id) for (const w of this.waiting) w(m);
    else if (m.t === 'session') this.hooks.onSession(m.s);
    else if (m.t === 'logout') this.hooks.onLogout();
  }

  /**
   * Asks the other tabs for their sessions and resolves with the newest (or null). With `any`, the first answer
   * that carries a session settles it (a new tab looking for one); otherwise it waits for every known tab.
   */
  ask(any = false): Promise<StoredSession | null> {
    if (this.closed || (!any && !this.peers.size)) return Promise.resolve(null);
    return new Promise((resolve) => {
      let best: StoredSession | null = null;
      const pending = new Set(this.peers);
      const done = () => {
        clearTimeout(timer);
        this.waiting.delete(onAnswer);
        resolve(best);
      };
      const onAnswer = (m: Message & { t: 'answer' }) => {
        best = newer(best, m.s);
        pending.delete(m.from);
        if ((any && best) || (!any && !pending.size)) done();
      };
      const timer = setTimeout(done, ANSWER_WAIT_MS);
      this.waiting.add(onAnswer);
      this.post({ t: 'ask', from: this.id });
    });
  }

  /** Runs `fn` while this app's renew lock is held, in this tab and all others. */
  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    if (navigator.locks) return navigator.locks.request(`${this.name}:renew`, fn);
    await new Promise((r) => setTimeout(r, Math.random() * ANSWER_WAIT_MS));
    return fn();
  }

  publish(s: StoredSession): void {
    this.post({ t: 'session', from: this.id, s });
  }

  publishLogout(): void {
    this.post({ t: 'logout', from: this.id });
  }

  close(): void {
    if (this.closed) return;
    this.onPageHide();
    this.closed = true;
    removeEventListener('pagehide', this.onPageHide);
    removeEventListener('pageshow', this.onPageShow);
    this.channel.close();
  }
}

/** Compares by expiry: the newer of two sessions. */
export { newer as newerSession };
