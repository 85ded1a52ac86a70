/**
 * Helpers for the reliability and security tests (fuzz, storage faults, network faults, clock skew, hostile
 * pages): snapshots of Web Storage, everything an error or a console call could leak, Web Storage that fails,
 * and provider outages. They use only the public API and the fake provider.
 */
import { vi } from 'vitest';
import { completeSilentRenew, type SessionStore } from '../../../src/index.js';
import type { FakeProvider, Reply } from './fake-provider.js';
import { SILENT_FRAME_NAME } from '../../../src/sdk-window.js';

/** Every Web Storage entry (localStorage ones prefixed `local:`), except the keys given. */
export function storageSnapshot(except: string[] = []): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [prefix, storage] of [
    ['', sessionStorage],
    ['local:', localStorage],
  ] as const) {
    for (let i = 0; i < storage.length; i++) {
      const k = storage.key(i)!;
      if (!except.includes(k)) out[prefix + k] = storage.getItem(k);
    }
  }
  return out;
}

/**
 * Everything a value could show in a log, as text: strings as they are; errors with name, message, stack, every
 * own property and their cause chain; URLSearchParams and URLs as their string; objects and arrays deeply.
 */
export function dump(value: unknown): string {
  const seen = new WeakSet<object>();
  const walk = (v: unknown, depth: number): string => {
    if (v === null || v === undefined) return String(v);
    if (typeof v === 'string') return v;
    if (typeof v !== 'object' && typeof v !== 'function') return String(v);
    if (v instanceof URLSearchParams || v instanceof URL) return v.toString();
    if (seen.has(v as object) || depth > 8) return '[seen]';
    seen.add(v as object);
    const parts: string[] = [];
    if (v instanceof Error) parts.push(v.name, v.message, v.stack ?? '', String(v), walk(v.cause, depth + 1));
    if (v instanceof Response) parts.push(`Response ${v.status} ${v.url}`);
    for (const k of Object.getOwnPropertyNames(v)) {
      let inner: unknown;
      try {
        inner = (v as Record<string, unknown>)[k];
      } catch {
        continue;
      }
      if (typeof inner !== 'function') parts.push(`${k}=${walk(inner, depth + 1)}`);
    }
    return parts.join('\n');
  };
  return walk(value, 0);
}

/** What an error shows when an app logs it the usual ways: message, string form and provider description. */
export function errorMessageText(e: unknown): string {
  const err = e as { message?: unknown; description?: unknown };
  return [String(err?.message), String(e), String(err?.description ?? '')].join('\n');
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir', 'table'] as const;

/** Records every console call without printing it. `text()` is everything the calls were given. */
export function captureConsole() {
  const calls: { method: string; args: unknown[] }[] = [];
  for (const method of CONSOLE_METHODS)
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      calls.push({ method, args });
    });
  return { calls, text: () => calls.map((c) => `${c.method}: ${c.args.map(dump).join(' ')}`).join('\n') };
}

/** The exception a browser throws for blocked storage (cookies off, sandboxed frame, enterprise policy). */
export const securityError = () => new DOMException('The operation is insecure.', 'SecurityError');
/** The exception a browser throws when a write does not fit (storage full; Safari's old private mode). */
export const quotaError = (key = '') =>
  new DOMException(`Failed to execute 'setItem' on 'Storage': Setting the value of '${key}' exceeded the quota.`, 'QuotaExceededError');

type StorageName = 'sessionStorage' | 'localStorage';

/**
 * Replaces `window[name]` with a getter (e.g. one that throws, as browsers do when storage is disabled), until the
 * returned function restores it. `globalThis` is the happy-dom window in these tests.
 */
export function replaceStorage(name: StorageName, get: () => unknown): () => void {
  const before = Object.getOwnPropertyDescriptor(globalThis, name);
  Object.defineProperty(globalThis, name, { configurable: true, get });
  return () => {
    if (before) Object.defineProperty(globalThis, name, before);
  };
}

/**
 * A Storage that reads and removes through to the real one but refuses writes with QuotaExceededError (full
 * storage; with an empty store, Safari's former private mode). `full = false` lets writes through again.
 */
export function quotaStorage(real: Storage) {
  const s = {
    full: true,
    getItem: (k: string) => real.getItem(k),
    setItem: (k: string, v: string) => {
      if (s.full) throw quotaError(k);
      real.setItem(k, v);
    },
    removeItem: (k: string) => real.removeItem(k),
    clear: () => real.clear(),
    key: (i: number) => real.key(i),
    get length() {
      return real.length;
    },
  };
  return s;
}

/** A Storage whose every call throws SecurityError (the object exists, the calls fail). */
export const refusingStorage = () => {
  const deny = () => {
    throw securityError();
  };
  return { getItem: deny, setItem: deny, removeItem: deny, clear: deny, key: deny, length: 0 };
};

/** A custom session store whose methods all fail: asynchronously (rejected promises) or synchronously (throws). */
export function failingStore(how: 'reject' | 'throw'): SessionStore & { calls: string[] } {
  const calls: string[] = [];
  const fail = (op: string) => () => {
    calls.push(op);
    if (how === 'throw') throw securityError();
    return Promise.reject(securityError());
  };
  return { calls, get: fail('get'), set: fail('set'), remove: fail('remove') };
}

/** A request to the provider, as {@link faultWhile} shows it to its predicate. */
export interface ProviderRequest {
  url: string;
  method: string;
  body?: URLSearchParams | undefined;
}

/**
 * While `active(request)` is true, a request to the provider's token endpoint (or discovery document) gets `reply`
 * instead of the normal answer; the provider still records it. Works by queueing `reply` just before the request.
 */
export function faultWhile(
  provider: FakeProvider,
  endpoint: 'token' | 'discovery',
  active: (request: ProviderRequest) => boolean,
  reply: Reply,
): void {
  const inner = provider.fetch;
  vi.stubGlobal('fetch', (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const target = endpoint === 'token' ? provider.metadata.token_endpoint : provider.discoveryUrl;
    const method = (init.method ?? 'GET').toUpperCase();
    const body = init.body === undefined || init.body === null ? undefined : new URLSearchParams(String(init.body));
    if (url === target && active({ url, method, body })) {
      if (endpoint === 'token') provider.onToken(reply);
      else provider.onDiscovery(reply);
    }
    return inner(input, init);
  });
}

/** Collects unhandled promise rejections of this process (Node's event: vitest runs the tests in Node). */
export function trackUnhandledRejections() {
  const reasons: unknown[] = [];
  const listener = (reason: unknown) => void reasons.push(reason);
  return {
    reasons,
    start: () => void process.on('unhandledRejection', listener),
    stop: () => void process.off('unhandledRejection', listener),
  };
}

/** Lets every pending promise job and a macrotask turn run (enough for Node to report unhandled rejections). */
export const settle = () => new Promise((r) => setTimeout(r, 0));

/**
 * The message the SDK's silent page posts to its parent for a given `url`: taken from `completeSilentRenew()`
 * itself (public API), run once against a stand-in parent, then with `url` put in place of the page's address.
 */
export function silentPageMessage(url: unknown): Record<string, unknown> {
  silentTemplate ??= captureSilentTemplate();
  return { ...silentTemplate, url };
}

let silentTemplate: Record<string, unknown> | undefined;

function captureSilentTemplate(): Record<string, unknown> {
  const before = Object.getOwnPropertyDescriptor(globalThis, 'parent');
  let posted: unknown;
  Object.defineProperty(globalThis, 'parent', {
    configurable: true,
    value: {
      postMessage: (m: unknown) => {
        posted = m;
      },
    },
  });
  // It acts only in the SDK's own iframe (its window name) on a page that holds a response.
  const [name, href] = [window.name, location.href];
  window.name = SILENT_FRAME_NAME;
  history.replaceState(null, '', '?code=c&state=s');
  try {
    completeSilentRenew();
  } finally {
    if (before) Object.defineProperty(globalThis, 'parent', before);
    window.name = name;
    history.replaceState(null, '', href);
  }
  if (!posted || typeof posted !== 'object' || !('url' in posted)) throw new Error('completeSilentRenew() posted no {url} message');
  return posted as Record<string, unknown>;
}
