// Authorization responses shaped like the two IdentityServer generations CONNECT's identity server may be (issue 11):
// - IdentityServer4 never sends `iss` and does not advertise authorization_response_iss_parameter_supported;
// - Duende IdentityServer advertises it, but sends `iss` on successful responses only, never on error redirects.
// Both add `session_state` to successes and a `#_=_` fragment to error redirects.
import { describe, expect, it } from 'vitest';
import { AuthError } from '../../src/index.js';
import { setAddress } from './support/browser.js';
import type { AuthorizeOptions } from './support/fake-provider.js';
import { pendingTransactions, SESSION_KEY, useWorld } from './support/world.js';

const w = useWorld();

const SESSION_STATE = { session_state: 'Qm9vbXMhIGEgc2Vzc2lvbiBzdGF0ZQ.8d0f1e2a3b4c5d6e' };
/** What each generation sends back, for a success and for an error (a `prompt=none` without a provider session). */
const generations = {
  IdentityServer4: {
    advertisesIss: false,
    success: { iss: null, extra: SESSION_STATE },
    error: { iss: null, error: 'login_required', hash: '_=_' },
  },
  'Duende IdentityServer': {
    advertisesIss: true,
    success: { extra: SESSION_STATE },
    error: { iss: null, error: 'login_required', hash: '_=_' },
  },
} satisfies Record<string, { advertisesIss: boolean; success: AuthorizeOptions; error: AuthorizeOptions }>;

describe.each(Object.entries(generations))('a provider that answers like %s', (_name, g) => {
  const useProvider = () => {
    w.provider.metadata.authorization_response_iss_parameter_supported = g.advertisesIss;
    if (!g.advertisesIss) delete w.provider.metadata.authorization_response_iss_parameter_supported;
  };

  it('signs in from a success with session_state', async () => {
    useProvider();
    const client = w.client();
    const url = await w.startLogin(client);
    setAddress(w.callbackFor(url, g.success));
    const { session } = await client.handleRedirectCallback();
    expect(session.accessToken).toBe(w.provider.issuedAccessTokens[0]);
    expect(new URL(location.href).searchParams.has('session_state')).toBe(false);
    // Kept for session monitoring, and across a reload.
    expect(session.sessionState).toBe(SESSION_STATE.session_state);
    expect((await w.client().getSession())?.sessionState).toBe(SESSION_STATE.session_state);
  });

  it("takes the session_state of each silent renewal: the provider's browser session as it is now", async () => {
    useProvider();
    const client = w.client({ automaticSilentRenew: false });
    await w.signIn(client);
    const renewed = client.renew();
    await w.answerSilentFrame({ ...g.success, extra: { session_state: 'bmV3.0a1b' } });
    expect((await renewed).sessionState).toBe('bmV3.0a1b');
  });

  it('reports a login error redirect as login_required, with its description, storing nothing', async () => {
    useProvider();
    const client = w.client();
    const url = await w.startLogin(client);
    const callback = w.callbackFor(url, { ...g.error, errorDescription: 'No session' });
    expect(client.isCallback(callback)).toBe(true);
    const err = await client.handleRedirectCallback(callback).catch((e: AuthError) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err).toMatchObject({ code: 'login_required', description: 'No session' });
    expect(sessionStorage.getItem(SESSION_KEY)).toBeNull();
    expect(pendingTransactions()).toEqual({});
  });

  it('reports a silent renewal that ends in a login error redirect as login_required', async () => {
    useProvider();
    const client = w.client({ automaticSilentRenew: false });
    const errors = w.record(client, 'renewError');
    const pending = client.getAccessToken();
    await w.answerSilentFrame(g.error);
    await expect(pending).rejects.toMatchObject({ code: 'login_required' });
    expect(errors).toMatchObject([{ value: { code: 'login_required' } }]);
  });

  it.each(['_=_', '_'])(
    'an error redirect ending in #%s leaves the address bar clean: no response parameter, no fragment for a hash router',
    async (hash) => {
      useProvider();
      const client = w.client();
      const url = await w.startLogin(client);
      setAddress(w.callbackFor(url, { ...g.error, hash }));
      await expect(client.handleRedirectCallback()).rejects.toMatchObject({ code: 'login_required' });
      expect(location.href).toBe('http://localhost:3000/callback');
    },
  );

  it("keeps an app's own fragment on a callback address", async () => {
    useProvider();
    const client = w.client();
    const url = await w.startLogin(client);
    setAddress(w.callbackFor(url, { ...g.error, hash: '/reports' }));
    await expect(client.handleRedirectCallback()).rejects.toMatchObject({ code: 'login_required' });
    expect(location.href).toBe('http://localhost:3000/callback#/reports');
  });

  it('still checks the state of an error response', async () => {
    useProvider();
    const client = w.client();
    await w.startLogin(client);
    const forged = `http://localhost:3000/callback?error=login_required&state=forged#_=_`;
    await expect(client.handleRedirectCallback(forged)).rejects.toMatchObject({ code: 'state_mismatch' });
  });

  it('refuses an error response whose iss names another issuer', async () => {
    useProvider();
    const client = w.client();
    const url = await w.startLogin(client);
    const callback = w.callbackFor(url, { ...g.error, iss: 'https://evil.example' });
    await expect(client.handleRedirectCallback(callback)).rejects.toMatchObject({ code: 'invalid_response' });
  });
});

describe('a provider that advertises iss (RFC 9207)', () => {
  it('still has a success without iss refused: the mix-up defence stays', async () => {
    const client = w.client();
    const url = await w.startLogin(client);
    const callback = w.callbackFor(url, { iss: null, extra: SESSION_STATE });
    await expect(client.handleRedirectCallback(callback)).rejects.toMatchObject({ code: 'invalid_response' });
    expect(w.provider.tokenRequests).toHaveLength(0);
    expect(await client.getSession()).toBeNull();
  });

  it('has a silent success without iss refused too', async () => {
    const client = w.client({ automaticSilentRenew: false });
    const pending = client.getAccessToken();
    await w.answerSilentFrame({ iss: null });
    await expect(pending).rejects.toMatchObject({ code: 'invalid_response' });
    expect(w.provider.tokenRequests).toHaveLength(0);
  });

  it.each([
    ['an empty error (no error to oauth4webapi): refused as a success without iss', '', 'invalid_response'],
    ['error=login_required: read as that error', 'login_required', 'login_required'],
  ])('takes a code without iss next to %s, exchanging nothing', async (_name, error, code) => {
    const client = w.client();
    const url = await w.startLogin(client);
    const callback = new URL(w.callbackFor(url, { iss: null }));
    callback.searchParams.set('error', error);
    await expect(client.handleRedirectCallback(callback.href)).rejects.toMatchObject({ code });
    expect(w.provider.tokenRequests).toHaveLength(0);
  });
});
