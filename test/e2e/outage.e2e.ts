// Issue 6: a provider outage during automatic renewal: bounded retries, no request storm, and the
// renewal resumes by itself when the provider is back.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { tokenOf, waitForNewToken } from './support/page-utils.js';
import { startWorld, type World } from './support/world.js';

let w: World;
beforeAll(async () => {
  // 30 s tokens renewed 20 s before expiry (clamped to 15 s); the iframe gives up after 1 s.
  w = await startWorld({ accessTokenTtl: 30, client: { renewBeforeExpiry: 20, silentTimeout: 1000 } });
});
afterAll(() => w?.close());

test('an outage is retried a bounded number of times, then the renewal succeeds on its own', async () => {
  const page = await w.open();
  await w.login(page);
  const first = await tokenOf(page);
  w.idp.reset();
  w.idp.setDown(true);
  // Renewal starts ~13.5-15 s after login; keep the provider down through the first attempts.
  await page.waitForFunction(() => window.events.filter((e) => e.type === 'renewError').length >= 3, undefined, {
    timeout: 30_000,
  });
  const during = w.idp.requests.filter((r) => r.kind === 'authorize').map((r) => r.time);
  w.idp.setDown(false);
  await waitForNewToken(page, first, 30_000);

  // One request per failed attempt, no storm (the backoff itself is unit-tested with fake timers).
  expect(during.length).toBeGreaterThanOrEqual(3);
  expect(during.length).toBeLessThanOrEqual(4);
  const codes = await page.evaluate(() => window.events.filter((e) => e.type === 'renewError').map((e) => e.code));
  expect(new Set(codes)).toEqual(new Set(['timeout']));
  expect(await page.evaluate(() => window.events.at(-1)?.type)).toBe('token');
});
