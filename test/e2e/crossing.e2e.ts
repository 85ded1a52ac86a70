// Issue 19 item 5: a logout crossing another tab's renewal. Two tabs share localStorage; in each repetition one tab's
// silent renewal (and its broadcast to the other tab) crosses the other tab's logout at a different moment. Every
// Web Storage write and removal is recorded in both pages, with its time.
//
// What holds: no tab writes a session after the logout marker, not even for a moment, and none outlives the logout.
// Chromium carries a localStorage write to another renderer a few ms late, so the marker alone let a renewal that
// committed in that gap be written (then removed): seen in 1 of 20 crossings in two of six CI runs. Commits and
// logouts now take turns under a Web Lock and a logout holds a lock named after its marker, which every tab sees at
// once (src/signed-out.ts).
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tokenOf } from './support/page-utils.js';
import { startWorld, type World } from './support/world.js';

const REPETITIONS = 20;

/** Records every Web Storage write of the page (time, key, whether it holds a token) from its first script on. */
function recordStorageWrites() {
  const writes: { at: number; key: string; token: boolean; removed?: boolean }[] = [];
  (window as unknown as { storageWrites: typeof writes }).storageWrites = writes;
  const { setItem, removeItem } = Storage.prototype;
  Storage.prototype.setItem = function (key: string, value: string) {
    writes.push({ at: Date.now(), key, token: value.includes('"accessToken"') });
    return setItem.call(this, key, value);
  };
  Storage.prototype.removeItem = function (key: string) {
    writes.push({ at: Date.now(), key, token: false, removed: true });
    return removeItem.call(this, key);
  };
}

const writesOf = (page: Page) =>
  page.evaluate(
    () => (window as unknown as { storageWrites: { at: number; key: string; token: boolean; removed?: boolean }[] }).storageWrites,
  );

/** Signs in from `page` again while the provider session lives: no form, straight back with a code. */
async function signInAgain(page: Page) {
  await page.evaluate(() => void window.auth.login());
  await expect.poll(() => tokenOf(page).catch(() => null), { timeout: 10_000 }).toBeTruthy();
}

describe('a logout crossing another tab\'s renewal (local storage, no refresh token)', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld({ client: { automaticSilentRenew: false, storage: 'local' } });
    await w.browser.context.addInitScript(recordStorageWrites);
  });
  afterAll(() => w?.close());

  test(`no tab writes a session after the logout, in ${REPETITIONS} of ${REPETITIONS} crossings, and none outlives it`, async () => {
    const a = await w.open();
    const b = await w.open();
    const late: string[] = [];
    await w.login(a);
    for (let i = 0; i < REPETITIONS; i++) {
      if (i > 0) await signInAgain(a);
      const token = await tokenOf(a);
      await expect.poll(() => tokenOf(b), { timeout: 5_000 }).toBe(token);
      // B renews in its hidden iframe (about 50-150 ms) while A logs out: a few ms later each time, so that the
      // logout lands before, during and after B's commit and its broadcast.
      await Promise.all([
        b.evaluate(() => window.auth.renew().catch(() => null)),
        a.evaluate((delay) => new Promise((r) => setTimeout(r, delay)).then(() => window.auth.logout({ endSession: false })), i * 8),
      ]);
      // Whatever was still on its way (a broadcast, a storage event) has arrived by now.
      await a.waitForTimeout(300);
      const signedOutAt = Number(
        await a.evaluate(() => Object.entries(localStorage).find(([k]) => k.endsWith(':signed-out'))?.[1]),
      );
      expect(signedOutAt).toBeGreaterThan(0);
      for (const [name, page] of [['A', a], ['B', b]] as const)
        for (const write of await writesOf(page))
          if (write.token && write.at > signedOutAt)
            late.push(`run ${i}: tab ${name} wrote ${write.key} ${write.at - signedOutAt} ms after the logout`);
      expect(await tokenOf(a)).toBeNull();
      expect(await tokenOf(b)).toBeNull();
      expect(await a.evaluate(() => Object.values(localStorage).filter((v) => v.includes('"accessToken"')))).toEqual([]);
    }
    expect(late).toEqual([]);
  });
});
