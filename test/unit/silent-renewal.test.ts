/**
 * Deciding before failing (src/silent-renewal.ts): right after a login the SDK learns whether the hidden iframe can
 * renew in this browser, remembers it, tells the app (`silentRenewal`), and where it cannot, asks for the user in
 * time (`interactionRequired`) instead of failing at expiry. Plus the top-level `restore()`.
 */
import { describe, expect, it, vi } from 'vitest';
import { silentFrame, waitForSilentFrame } from './support/browser.js';
import { ISSUER } from './support/fake-provider.js';
import { SESSION_KEY, useWorld } from './support/world.js';

const w = useWorld();
const VERDICT_KEY = `cpk.iframe:${ISSUER}/`;

describe('silentRenewal', () => {
  it("is learnt right after a login: the probe's code means the iframe works (and the code is not redeemed)", async () => {
    const client = w.client({ detectSilentRenewal: true });
    expect(client.silentRenewal).toBe('unknown');
    const changes = w.record(client, 'silentRenewal');
    await w.signIn(client);
    const tokenRequests = w.provider.tokenRequests.length;
    const probe = await w.answerSilentFrame();
    expect(probe.searchParams.get('prompt')).toBe('none');
    await vi.waitFor(() => expect(client.silentRenewal).toBe('iframe'));
    expect(changes).toEqual([{ name: 'silentRenewal', value: 'iframe' }]);
    expect(w.provider.tokenRequests).toHaveLength(tokenRequests);
    // Remembered for the browser: the next login does not probe again.
    expect(localStorage.getItem(VERDICT_KEY)).toMatch(/^iframe /);
    await w.signIn(w.client({ detectSilentRenewal: true }));
    await new Promise((r) => setTimeout(r, 50));
    expect(silentFrame()).toBeNull();
  });

  it('login_required right after a login means the iframe cannot see the provider session: no iframe renewal is tried', async () => {
    const client = w.client({ detectSilentRenewal: true, automaticSilentRenew: false });
    await w.signIn(client);
    await w.answerSilentFrame({ error: 'login_required' });
    await vi.waitFor(() => expect(client.silentRenewal).toBe('unavailable'));
    const asked = w.record(client, 'interactionRequired');
    await expect(client.renew()).rejects.toMatchObject({ code: 'login_required' });
    await new Promise((r) => setTimeout(r, 20));
    expect(silentFrame()).toBeNull();
    // The token still works: the app is told how long it has, to offer "Continue session".
    expect(asked).toEqual([
      {
        name: 'interactionRequired',
        value: { error: expect.objectContaining({ code: 'login_required' }), expiresAt: expect.any(Number), timeLeft: expect.any(Number) },
      },
    ]);
    expect((asked[0]?.value as { timeLeft: number } | undefined)?.timeLeft).toBeGreaterThan(3_500_000);
  });

  it('is refresh_token while the session has one, whatever the iframe does', async () => {
    w.provider.issueRefreshTokens = true;
    const client = w.client({ detectSilentRenewal: true });
    await w.signIn(client);
    expect(client.silentRenewal).toBe('refresh_token');
    // No probe: the iframe is not needed.
    await new Promise((r) => setTimeout(r, 50));
    expect(silentFrame()).toBeNull();
  });

  it('a successful iframe renewal proves it works, without a probe', async () => {
    const client = w.client({ automaticSilentRenew: false });
    await w.signIn(client);
    const renewal = client.renew();
    await w.answerSilentFrame();
    await renewal;
    expect(client.silentRenewal).toBe('iframe');
  });

  it('a verdict older than a week is forgotten, and the next login probes again', async () => {
    localStorage.setItem(VERDICT_KEY, `unavailable ${Date.now() - 8 * 24 * 3_600_000}`);
    const client = w.client({ detectSilentRenewal: true });
    expect(client.silentRenewal).toBe('unknown');
    await w.signIn(client);
    await waitForSilentFrame();
  });
});

describe('restore()', () => {
  it('goes to the provider with prompt=none and comes back to this page', async () => {
    const client = w.client();
    history.replaceState(null, '', '/reports?id=7');
    expect(await client.restore()).toBe(true);
    const url = new URL(String(w.nav.mock.calls.at(-1)?.[0]));
    expect(url.searchParams.get('prompt')).toBe('none');
    const callback = w.provider.authorize(url);
    history.replaceState(null, '', callback);
    const { returnTo } = await client.handleRedirectCallback();
    expect(returnTo).toBe('http://localhost:3000/reports?id=7');
  });

  it('yields to a logout made while it ran (in another tab): the callback brings no session back', async () => {
    const client = w.client();
    expect(await client.restore()).toBe(true);
    const callback = w.provider.authorize(new URL(String(w.nav.mock.calls.at(-1)?.[0])));
    // The provider answered before the logout reached it; the user signed out in another tab meanwhile (a tab of
    // its own sessionStorage, where this tab's pending request stays).
    const thisTab = Object.entries(sessionStorage);
    await w.client().logout();
    for (const [key, value] of thisTab) sessionStorage.setItem(key, value);
    history.replaceState(null, '', callback);
    await expect(client.handleRedirectCallback()).rejects.toMatchObject({ code: 'login_required' });
    expect(await client.getSession()).toBeNull();
    expect(await w.client().getSession()).toBeNull();
  });

  it('restores the same user only: an answer for someone else is refused and the session stays as it was', async () => {
    const client = w.client();
    await w.signIn(client);
    const before = await client.getSession();
    const tokens = w.record(client, 'token');
    expect(await client.restore()).toBe(true);
    w.provider.sub = 'user-2';
    history.replaceState(null, '', w.provider.authorize(new URL(String(w.nav.mock.calls.at(-1)?.[0]))));
    await expect(client.handleRedirectCallback()).rejects.toMatchObject({ code: 'login_required' });
    expect(await client.getSession()).toEqual(before);
    expect(tokens).toEqual([]);
  });

  it('works after the clock was set back between a logout and the login since (a new tab restores it)', async () => {
    await w.signIn(w.client());
    await w.client().logout({ endSession: false });
    vi.useFakeTimers({ now: Date.now() - 60_000, toFake: ['Date'] });
    await w.signIn(w.client());
    // A new tab: no session of its own yet (and none shared), the provider session alive.
    sessionStorage.removeItem(SESSION_KEY);
    const tab = w.client();
    expect(await tab.restore()).toBe(true);
    history.replaceState(null, '', w.provider.authorize(new URL(String(w.nav.mock.calls.at(-1)?.[0]))));
    await expect(tab.handleRedirectCallback()).resolves.toMatchObject({ session: expect.any(Object) });
  });

  it('at most once a minute, so an app that restores on every load cannot loop', async () => {
    const client = w.client();
    expect(await client.restore()).toBe(true);
    expect(await client.restore()).toBe(false);
    expect(w.nav).toHaveBeenCalledTimes(1);
  });

  it('refuses after a logout: only login() signs in again', async () => {
    const client = w.client();
    await w.signIn(client);
    await client.logout();
    w.nav.mockClear();
    expect(await client.restore()).toBe(false);
    expect(w.nav).not.toHaveBeenCalled();
  });

  it("'restore' is tried once per session: a restore that brought no new session is not repeated", async () => {
    const client = w.client({ onSilentRenewFailure: 'restore', automaticSilentRenew: false });
    await w.signIn(client);
    w.nav.mockClear();
    vi.spyOn(Date, 'now').mockReturnValue(Date.now() + 3_600_000 - 30_000);
    for (let i = 0; i < 2; i++) {
      const pending = client.getAccessToken();
      if (i === 0) await w.answerSilentFrame({ error: 'login_required' });
      await pending.catch(() => {});
      // A minute later the redirect guard would allow another: the session is the same, so no.
      vi.mocked(Date.now).mockReturnValue(Date.now() + 61_000);
    }
    expect(w.nav).toHaveBeenCalledTimes(1);
  });

  it("is what onSilentRenewFailure: 'restore' does when a renewal needs the user", async () => {
    const client = w.client({ onSilentRenewFailure: 'restore', automaticSilentRenew: false });
    const pending = client.getAccessToken();
    await w.answerSilentFrame({ error: 'login_required' });
    await expect(pending).rejects.toMatchObject({ code: 'login_required' });
    expect(new URL(String(w.nav.mock.calls.at(-1)?.[0])).searchParams.get('prompt')).toBe('none');
  });
});
