// @vitest-environment node
/**
 * Server-side rendering (Next.js, Nuxt, Angular SSR): the package is imported and a client created where there is
 * no window. Nothing may throw a bare ReferenceError, and nothing may stay open to keep the server process alive.
 */
import { describe, expect, it } from 'vitest';
import { AuthError, completeSilentRenew, createAuthClient, createConnectClient, observeAuth } from '../../src/index.js';

const options = {
  authority: 'https://idp.example',
  clientId: 'spa-client',
  redirectUri: 'https://app.example/callback',
};

describe('without a browser', () => {
  it('creates an inert client that holds nothing open', async () => {
    const before = process.getActiveResourcesInfo().sort();
    const client = createAuthClient({ ...options, shareAcrossTabs: true });
    const connect = createConnectClient({ region: 'uswe', tenantId: 't', clientId: 'c', redirectUri: options.redirectUri });
    expect(process.getActiveResourcesInfo().sort()).toEqual(before);
    expect(client.isCallback('https://app.example/callback?code=c&state=s')).toBe(false);
    await expect(client.getSession()).resolves.toBeNull();
    await expect(connect.isAuthenticated()).resolves.toBe(false);
    expect(client.on('token', () => {})).toBeTypeOf('function');
    for (const call of [client.login(), client.getAccessToken(), client.renew(), client.logout(), client.handleRedirectCallback()]) {
      const err = await call.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthError);
      expect((err as AuthError).code).toBe('not_in_browser');
    }
    client.dispose();
  });

  it("auth.fetch (an authorized fetch) rejects with not_in_browser, not a bare ReferenceError", async () => {
    const auth = createConnectClient({ region: 'uswe', tenantId: 't', clientId: 'c', redirectUri: options.redirectUri });
    const err = await auth.fetch('https://uswe.datahub.connect.aveva.com/api/v1/Tenants/t/Namespaces').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).code).toBe('not_in_browser');
  });

  it('has one constant signed-out snapshot, a subscribe that holds nothing, and start-up already done', async () => {
    const client = createAuthClient(options);
    const state = observeAuth(client).getState();
    expect(state).toEqual({ status: 'signed-out', session: null, silentRenewal: 'unknown', error: null });
    expect(observeAuth(createAuthClient(options)).getState()).toBe(state);
    const before = process.getActiveResourcesInfo().sort();
    const unsubscribe = observeAuth(client).subscribe(() => {});
    expect(process.getActiveResourcesInfo().sort()).toEqual(before);
    unsubscribe();
    await expect(observeAuth(client).ready).resolves.toBeUndefined();
    expect(observeAuth(client).getState()).toBe(state);
  });

  it('still refuses bad options with invalid_config, so they show up in the server log too', () => {
    expect(() => createAuthClient({ ...options, clientId: '' })).toThrow(expect.objectContaining({ code: 'invalid_config' }));
  });

  it('completeSilentRenew() does nothing', () => {
    expect(completeSilentRenew()).toBe(false);
  });
});
