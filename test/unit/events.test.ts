import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuthError } from '../../src/errors.js';
import { createEmitter } from '../../src/events.js';
import type { Session } from '../../src/session.js';

const session: Session = { accessToken: 'at', tokenType: 'bearer', expiresAt: 1 };

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('Emitter', () => {
  it('calls the handlers of an event with its value, and only those', () => {
    const e = createEmitter();
    const token = vi.fn();
    const token2 = vi.fn();
    const logout = vi.fn();
    e.on('token', token);
    e.on('token', token2);
    e.on('logout', logout);
    e.emit('token', session);
    expect(token).toHaveBeenCalledWith(session);
    expect(token2).toHaveBeenCalledWith(session);
    expect(logout).not.toHaveBeenCalled();
  });

  it('stops calling a handler once unsubscribed, leaving the others', () => {
    const e = createEmitter();
    const a = vi.fn();
    const b = vi.fn();
    const off = e.on('renewError', a);
    e.on('renewError', b);
    off();
    e.emit('renewError', new AuthError('network'));
    expect(a).not.toHaveBeenCalled();
    expect(b).toHaveBeenCalledTimes(1);
  });

  it('emits with no handler without complaint', () => {
    expect(() => createEmitter().emit('expired', session)).not.toThrow();
  });

  it('keeps calling the other handlers when one throws, and reports the error asynchronously', () => {
    const reported: (() => void)[] = [];
    vi.stubGlobal('queueMicrotask', (cb: () => void) => reported.push(cb));
    const e = createEmitter();
    const boom = new Error('app bug');
    const after = vi.fn();
    e.on('token', () => {
      throw boom;
    });
    e.on('token', after);
    expect(() => e.emit('token', session)).not.toThrow();
    expect(after).toHaveBeenCalledTimes(1);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toThrow(boom);
  });

  it('does not call, in this emit, a handler added by another handler', () => {
    const e = createEmitter();
    const late = vi.fn();
    e.on('expiring', () => e.on('expiring', late));
    e.emit('expiring', session);
    expect(late).not.toHaveBeenCalled();
    e.emit('expiring', session);
    expect(late).toHaveBeenCalledTimes(1);
  });

  it('clear() drops every handler', () => {
    const e = createEmitter();
    const h = vi.fn();
    e.on('logout', h);
    e.clear();
    e.emit('logout', undefined);
    expect(h).not.toHaveBeenCalled();
  });
});
