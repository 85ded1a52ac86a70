import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { memoryStore, resolveStore, type SessionStore, webStore } from '../../src/storage.js';

/** A Web Storage that refuses every call, like Safari with storage blocked. */
const refusingStorage = () => {
  const deny = () => {
    throw new DOMException('The operation is insecure.', 'SecurityError');
  };
  return { getItem: vi.fn(deny), setItem: vi.fn(deny), removeItem: vi.fn(deny) };
};

/** A fresh copy of the storage module, so that its once-per-page warning can be observed. */
async function freshStorageModule() {
  vi.resetModules();
  return import('../../src/storage.js');
}

beforeEach(() => {
  sessionStorage.clear();
  localStorage.clear();
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('memoryStore', () => {
  it('gets, sets and removes', () => {
    const m = memoryStore();
    expect(m.get('k')).toBeUndefined();
    m.set('k', 'v');
    expect(m.get('k')).toBe('v');
    m.remove('k');
    expect(m.get('k')).toBeUndefined();
  });

  it('keeps each store separate', () => {
    const a = memoryStore();
    const b = memoryStore();
    a.set('k', 'a');
    expect(b.get('k')).toBeUndefined();
  });
});

describe('webStore', () => {
  it.each([
    ['session', () => sessionStorage],
    ['local', () => localStorage],
  ] as const)('wraps %sStorage', (kind, storage) => {
    const s = webStore(kind);
    s.set('k', 'v');
    expect(storage().getItem('k')).toBe('v');
    expect(s.get('k')).toBe('v');
    s.remove('k');
    expect(storage().getItem('k')).toBeNull();
  });

  it('falls back to memory, with one warning, when storage refuses access', async () => {
    const { webStore: freshWebStore } = await freshStorageModule();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.stubGlobal('sessionStorage', refusingStorage());
    const s = freshWebStore('session');
    expect(s.get('k')).toBeUndefined();
    s.set('k', 'v');
    expect(s.get('k')).toBe('v');
    s.remove('k');
    expect(s.get('k')).toBeUndefined();
    // A second store on the same page does not warn again.
    const other = freshWebStore('session');
    other.set('x', 'y');
    expect(other.get('x')).toBe('y');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/storage failed, keeping the session in memory/);
  });

  it('falls back to memory when storage is missing altogether', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.stubGlobal('localStorage', undefined);
    const s = webStore('local');
    s.set('k', 'v');
    expect(s.get('k')).toBe('v');
  });

  it('keeps a value storage refused in memory, and reads always see the latest write', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const real = sessionStorage;
    let full = true;
    vi.stubGlobal('sessionStorage', {
      getItem: (k: string) => real.getItem(k),
      setItem: (k: string, v: string) => {
        if (full) throw new DOMException('Quota exceeded', 'QuotaExceededError');
        real.setItem(k, v);
      },
      removeItem: (k: string) => real.removeItem(k),
    });
    const s = webStore('session');
    s.set('k', 'v1');
    expect(s.get('k')).toBe('v1');
    expect(real.getItem('k')).toBeNull();
    full = false;
    s.set('k', 'v2');
    expect(s.get('k')).toBe('v2');
    expect(real.getItem('k')).toBe('v2');
  });
});

describe('resolveStore', () => {
  it('passes a custom store through', () => {
    const custom: SessionStore = { get: () => null, set: () => {}, remove: () => {} };
    expect(resolveStore(custom)).toBe(custom);
  });

  it("'memory' never touches Web Storage", () => {
    const s = resolveStore('memory');
    s.set('k', 'v');
    expect(s.get('k')).toBe('v');
    expect(sessionStorage.length + localStorage.length).toBe(0);
  });

  it.each([
    ['session', () => sessionStorage],
    ['local', () => localStorage],
  ] as const)("'%s' uses %sStorage", (kind, storage) => {
    resolveStore(kind).set('k', 'v');
    expect(storage().getItem('k')).toBe('v');
  });
});
