import { describe, expect, it, vi } from 'vitest';
import { CLIENT_ID, ISSUER, networkFailure, POST_LOGOUT_REDIRECT_URI } from './support/fake-provider.js';
import { DISCOVERY_KEY, pendingTransactions, SESSION_KEY, TX_KEY, useWorld } from './support/world.js';

const w = useWorld();

/** The form the SDK submitted, with its fields. */
function submittedForm() {
  expect(w.submit).toHaveBeenCalledTimes(1);
  const form = w.submit.mock.contexts[0] as HTMLFormElement;
  const fields = Object.fromEntries([...form.querySelectorAll('input')].map((i) => [i.name, i.value]));
  return { form, fields };
}

describe('logout()', () => {
  it('clears the session and the pending logins, and emits logout', async () => {
    const client = w.client();
    await w.signIn(client);
    await w.startLogin(client);
    expect(Object.keys(pendingTransactions())).toHaveLength(1);
    const events = w.record(client, 'logout', 'token');

    await client.logout();

    expect(await client.getSession()).toBeNull();
    expect(await client.isAuthenticated()).toBe(false);
    expect(sessionStorage.getItem(SESSION_KEY)).toBeNull();
    expect(sessionStorage.getItem(TX_KEY)).toBeNull();
    expect(events).toEqual([{ name: 'logout', value: undefined }]);
  });

  it('ends the provider session with a POST form: client_id, id_token_hint, post_logout_redirect_uri', async () => {
    const client = w.client();
    const { session } = await w.signIn(client);
    const navigations = w.nav.mock.calls.length;
    await client.logout();

    const { form, fields } = submittedForm();
    expect(form.method).toBe('post');
    expect(form.action).toBe(`${ISSUER}/logout`);
    expect(form.isConnected).toBe(true);
    expect(fields).toEqual({ client_id: CLIENT_ID, id_token_hint: session.idToken, post_logout_redirect_uri: POST_LOGOUT_REDIRECT_URI });
    // The ID token never goes into a URL.
    expect(w.nav.mock.calls).toHaveLength(navigations);
  });

  it("with logoutMethod 'get' navigates with client_id and post_logout_redirect_uri, never the ID token", async () => {
    const client = w.client({ logoutMethod: 'get' });
    const { session } = await w.signIn(client);
    await client.logout();
    expect(w.submit).not.toHaveBeenCalled();
    const url = new URL(String(w.nav.mock.calls.at(-1)?.[0]));
    expect(url.origin + url.pathname).toBe(`${ISSUER}/logout`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: CLIENT_ID,
      post_logout_redirect_uri: POST_LOGOUT_REDIRECT_URI,
    });
    expect(url.href).not.toContain(session.idToken!);
    expect(await client.getSession()).toBeNull();
  });

  it('sends the returnTo of this call instead of the configured one', async () => {
    const client = w.client();
    await w.signIn(client);
    await client.logout({ returnTo: 'http://localhost:3000/goodbye' });
    expect(submittedForm().fields.post_logout_redirect_uri).toBe('http://localhost:3000/goodbye');
  });

  it('with endSession: false signs out of this app only: no provider request, no navigation, the marker set', async () => {
    const client = w.client();
    await w.signIn(client);
    const events = w.record(client, 'logout');
    const navigations = w.nav.mock.calls.length;
    await client.logout({ endSession: false, returnTo: 'http://localhost:3000/goodbye' });
    expect(w.submit).not.toHaveBeenCalled();
    expect(w.nav.mock.calls).toHaveLength(navigations);
    expect(events).toEqual([{ name: 'logout', value: undefined }]);
    expect(await client.getSession()).toBeNull();
    // It sticks like any logout: no silent sign-in until login().
    await expect(client.renew()).rejects.toMatchObject({ code: 'login_required' });
  });

  it('leaves out what it does not have: no session, no post-logout URI', async () => {
    const client = w.client({ postLogoutRedirectUri: undefined });
    await client.logout();
    expect(submittedForm().fields).toEqual({ client_id: CLIENT_ID });
  });

  it('emits logout even without a session (other tabs may have one)', async () => {
    const client = w.client();
    const events = w.record(client, 'logout');
    await client.logout();
    expect(events).toHaveLength(1);
  });

  it('goes to returnTo when the provider has no end_session_endpoint', async () => {
    delete w.provider.metadata.end_session_endpoint;
    const client = w.client();
    await w.signIn(client);
    await client.logout();
    expect(w.submit).not.toHaveBeenCalled();
    expect(w.nav).toHaveBeenLastCalledWith(POST_LOGOUT_REDIRECT_URI);
    expect(await client.getSession()).toBeNull();
  });

  it('stays on the page when there is neither an end_session_endpoint nor a returnTo', async () => {
    delete w.provider.metadata.end_session_endpoint;
    const client = w.client({ postLogoutRedirectUri: undefined });
    await w.signIn(client);
    const navigations = w.nav.mock.calls.length;
    await client.logout();
    expect(w.submit).not.toHaveBeenCalled();
    expect(w.nav.mock.calls).toHaveLength(navigations);
  });

  it('still signs out locally and goes to returnTo when the provider cannot be reached', async () => {
    await w.signIn(w.client());
    // A reload after the discovery cache was lost, while the provider is unreachable.
    sessionStorage.removeItem(DISCOVERY_KEY);
    w.provider.onDiscovery(networkFailure());
    const reloaded = w.client();
    expect(await reloaded.isAuthenticated()).toBe(true);
    await reloaded.logout();
    expect(await reloaded.getSession()).toBeNull();
    expect(sessionStorage.getItem(SESSION_KEY)).toBeNull();
    expect(w.submit).not.toHaveBeenCalled();
    expect(w.nav).toHaveBeenLastCalledWith(POST_LOGOUT_REDIRECT_URI);
  });

  it('does not let a renewal that was in flight sign the user back in', async () => {
    w.provider.issueRefreshTokens = true;
    const client = w.client({ automaticSilentRenew: false });
    await w.signIn(client);
    let answer!: () => void;
    const answered = new Promise<void>((r) => (answer = r));
    w.provider.onToken(async (req) => {
      await answered;
      return w.provider.issue(req);
    });
    const events = w.record(client, 'logout', 'token');
    const renewal = client.renew().catch((e: unknown) => e);
    await vi.waitFor(() => expect(w.provider.tokenRequests).toHaveLength(2));

    await client.logout();
    answer();
    await renewal;

    expect(await client.getSession()).toBeNull();
    expect(sessionStorage.getItem(SESSION_KEY)).toBeNull();
    expect(events.map((e) => e.name)).toEqual(['logout']);
  });

  it('right after a reload, still sends the id_token_hint and leaves no session behind', async () => {
    const { session } = await w.signIn(w.client());
    const reloaded = w.client();
    await reloaded.logout();
    expect(submittedForm().fields.id_token_hint).toBe(session.idToken);
    expect(await reloaded.getSession()).toBeNull();
  });
});
