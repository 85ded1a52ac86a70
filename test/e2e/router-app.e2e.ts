// Issue 19 item 6: the SDK's default silent redirect URI (the app's own route) in a router app. The app boots in the
// hidden iframe on every renewal and its router rewrites the URL at once, before the page's load event: the client
// created there hands the response back first, so renewals work without a dedicated silent page.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { iframeCount, renewIn, tokenOf } from './support/page-utils.js';
import { startWorld, type World } from './support/world.js';

describe('a router app whose silent redirect URI is its own route (the default)', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld({ client: { automaticSilentRenew: false, silentTimeout: 4000, e2eRouter: true } });
    // No silentRedirectUri: the SDK's default, the redirect URI (app.html), where the whole app boots.
    const { silentRedirectUri: _, ...client } = w.client;
    w.configure({ ...client, silentRedirectUri: undefined });
  });
  afterAll(() => w?.close());

  test('signs in, then renews silently through the app page in the hidden iframe, which leaves no trace', async () => {
    const page = await w.open();
    await w.login(page);
    const first = await tokenOf(page);
    expect(first).toBeTruthy();
    w.idp.reset();
    const renewed = await renewIn(page);
    expect(renewed.code).toBeNull();
    expect(renewed.token).not.toBe(first);
    expect(w.idp.count('authorize', { prompt: 'none', redirect_uri: `${w.app.origin}/app.html` })).toBe(1);
    expect(w.idp.count('token')).toBe(1);
    await expect.poll(() => iframeCount(page)).toBe(0);
    // The app in the iframe neither handled the response as a login nor wrote anything of its own.
    expect(await page.evaluate(() => window.events.map((e) => e.type))).toEqual(['token', 'token']);
  });
});
