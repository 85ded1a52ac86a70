// Issue 3: one session and one renewal per cycle across all open tabs of the app.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tokenOf, waitForNewToken } from './support/page-utils.js';
import { startWorld, type World } from './support/world.js';

describe.each(['session', 'local'])('three tabs with %s storage', (storage) => {
  let w: World;
  beforeAll(async () => {
    // 10 s tokens renewed 4 s before expiry: one renewal cycle about 6 s after login.
    w = await startWorld({ accessTokenTtl: 10, client: { renewBeforeExpiry: 4, storage } });
  });
  afterAll(() => w?.close());

  test('exactly one authorization request per cycle, the same new token in every tab, a late tab needs no request', async () => {
    const first = await w.open();
    await w.login(first);
    const original = await tokenOf(first);
    w.idp.reset();

    // New tabs get the session from storage ('local') or from the other tabs ('session'), never the provider.
    const tabs = [first, await w.open(), await w.open()];
    for (const tab of tabs) expect(await tokenOf(tab)).toBe(original);
    expect(w.idp.requests).toEqual([]);

    await Promise.all(tabs.map((tab) => waitForNewToken(tab, original)));
    const renewed = await tokenOf(first);
    for (const tab of tabs) expect(await tokenOf(tab)).toBe(renewed);
    expect(w.idp.count('authorize', { prompt: 'none' })).toBe(1);
    expect(w.idp.count('token')).toBe(1);

    w.idp.reset();
    const late = await w.open();
    expect(await tokenOf(late)).toBe(renewed);
    expect(w.idp.requests).toEqual([]);
  });
});
