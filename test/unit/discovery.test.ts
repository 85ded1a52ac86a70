import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import { discover } from '../../src/discovery.js';
import { AuthError } from '../../src/index.js';
import { memoryStore } from '../../src/storage.js';
import { FakeProvider, hang, ISSUER, json, networkFailure, serverError } from './support/fake-provider.js';
import { baseOptions, DISCOVERY_KEY, useWorld } from './support/world.js';

const w = useWorld();

describe('discovery', () => {
  it('is fetched once, then served from sessionStorage to later clients of this tab', async () => {
    const first = w.client();
    await w.startLogin(first);
    await w.startLogin(first);
    expect(w.provider.discoveryRequests).toHaveLength(1);
    expect(JSON.parse(sessionStorage.getItem(DISCOVERY_KEY)!)).toMatchObject({ issuer: ISSUER });

    // A reload: a new client instance in the same tab.
    const second = w.client();
    const url = await w.startLogin(second);
    await second.handleRedirectCallback(w.callbackFor(url));
    expect(w.provider.discoveryRequests).toHaveLength(1);
    expect(w.provider.discoveryRequests[0]).toMatchObject({ method: 'GET', url: `${ISSUER}/.well-known/openid-configuration` });
  });

  it('makes no request at all with inline metadata', async () => {
    const client = w.client({ metadata: w.provider.metadata as never });
    const url = await w.startLogin(client);
    await client.handleRedirectCallback(w.callbackFor(url));
    expect(w.provider.discoveryRequests).toHaveLength(0);
    expect(w.provider.tokenRequests).toHaveLength(1);
    expect(sessionStorage.getItem(DISCOVERY_KEY)).toBeNull();
  });

  it('refuses a document whose issuer is not the authority with issuer_mismatch naming both and the option, caching nothing', async () => {
    w.provider.onDiscovery(() => json({ ...w.provider.metadata, issuer: 'https://evil.example' }));
    const client = w.client();
    const err = (await client.login().catch((e: AuthError) => e)) as AuthError;
    expect(err).toBeInstanceOf(AuthError);
    expect(err).toMatchObject({ code: 'issuer_mismatch' });
    expect(err.message).toContain('"https://evil.example"');
    expect(err.message).toContain(`"${ISSUER}/"`);
    expect(err.message).toContain('"issuer" option');
    expect(w.nav).not.toHaveBeenCalled();
    expect(sessionStorage.getItem(DISCOVERY_KEY)).toBeNull();
  });

  it('tolerates a trailing slash on a host-only authority', async () => {
    const client = w.client({ authority: `${ISSUER}/` });
    const url = await w.startLogin(client);
    await expect(client.handleRedirectCallback(w.callbackFor(url))).resolves.toBeDefined();
    expect(w.provider.discoveryRequests).toHaveLength(1);
  });

  it('tolerates a trailing slash on an authority with a path', async () => {
    const provider = new FakeProvider('https://idp.example/identity').install();
    w.provider = provider;
    const client = w.client({ authority: 'https://idp.example/identity/' });
    const url = await w.startLogin(client);
    expect(provider.discoveryRequests).toHaveLength(1);
    expect(provider.discoveryRequests[0]!.url).toBe('https://idp.example/identity/.well-known/openid-configuration');
    await expect(client.handleRedirectCallback(w.callbackFor(url))).resolves.toBeDefined();
  });

  it('works with a provider whose issuer identifier ends in a slash after a path', async () => {
    const provider = new FakeProvider('https://idp.example/tenant/v2.0/').install();
    w.provider = provider;
    const client = w.client({ authority: 'https://idp.example/tenant/v2.0/' });
    const url = await w.startLogin(client);
    await expect(client.handleRedirectCallback(w.callbackFor(url))).resolves.toBeDefined();
  });

  it('maps a failing discovery to network, and tries again on the next call', async () => {
    w.provider.onDiscovery(serverError(502)).onDiscovery(networkFailure());
    const client = w.client();
    await expect(client.login()).rejects.toMatchObject({ code: 'network' });
    await expect(client.login()).rejects.toMatchObject({ code: 'network' });
    await w.startLogin(client);
    expect(w.provider.discoveryRequests).toHaveLength(3);
  });

  it('times out a discovery request that never answers', async () => {
    w.provider.onDiscovery(hang());
    const client = w.client({ requestTimeout: 20 });
    await expect(client.login()).rejects.toMatchObject({ code: 'timeout' });
  });

  it('fetches again when the cached copy is corrupt or incomplete', async () => {
    const c = resolveConfig(baseOptions());
    const cache = memoryStore();
    cache.set(DISCOVERY_KEY, '{corrupt');
    await expect(discover(c, cache)).resolves.toMatchObject({ issuer: ISSUER });
    cache.set(DISCOVERY_KEY, JSON.stringify({ issuer: ISSUER }));
    await expect(discover(c, cache)).resolves.toMatchObject({ authorization_endpoint: `${ISSUER}/authorize` });
    expect(w.provider.discoveryRequests).toHaveLength(2);
    await discover(c, cache);
    expect(w.provider.discoveryRequests).toHaveLength(2);
  });

  it('talks plain http to a loopback provider only', async () => {
    expect(() => resolveConfig(baseOptions({ authority: 'http://idp.example' }))).toThrow(/https/);
    const local = resolveConfig(baseOptions({ authority: 'http://localhost:8080' }));
    const provider = new FakeProvider('http://localhost:8080').install();
    await expect(discover(local, memoryStore())).resolves.toMatchObject({ issuer: 'http://localhost:8080' });
    expect(provider.discoveryRequests).toHaveLength(1);
  });
});

// An IdentityServer whose issuer names another host than the one discovery is fetched from (issue 11).
const AUTHORITY = 'https://uswe.example/identity';
const OTHER_ISSUER = 'https://identity.example';

describe('an issuer that is not the authority', () => {
  const useOtherIssuer = () => {
    w.provider = new FakeProvider(OTHER_ISSUER, AUTHORITY).install();
    return w.provider;
  };

  it('is refused without the issuer option, with a message that names both values and the option to set', async () => {
    const provider = useOtherIssuer();
    const err = (await w.client({ authority: AUTHORITY }).login().catch((e: AuthError) => e)) as AuthError;
    expect(err).toMatchObject({ code: 'issuer_mismatch' });
    expect(err.message).toBe(
      `connect-pkce: the provider's issuer is "${OTHER_ISSUER}", not the authority "${AUTHORITY}"; ` +
        'if that issuer is right, set the "issuer" option to it',
    );
    expect(provider.discoveryRequests[0]?.url).toBe(`${AUTHORITY}/.well-known/openid-configuration`);
    expect(w.nav).not.toHaveBeenCalled();
  });

  it('signs in with the issuer option: discovery from the authority, iss and the ID token checked against the issuer', async () => {
    const provider = useOtherIssuer();
    const client = w.client({ authority: AUTHORITY, issuer: `${OTHER_ISSUER}/` });
    const url = await w.startLogin(client);
    expect(url.origin + url.pathname).toBe(`${AUTHORITY}/authorize`);
    const { session } = await client.handleRedirectCallback(w.callbackFor(url));
    expect(session.accessToken).toBe(provider.issuedAccessTokens[0]);
    expect(provider.discoveryRequests).toHaveLength(1);
  });

  it('with the issuer option, still refuses an iss parameter or an ID token naming the authority', async () => {
    useOtherIssuer();
    const client = w.client({ authority: AUTHORITY, issuer: OTHER_ISSUER });
    let url = await w.startLogin(client);
    await expect(client.handleRedirectCallback(w.callbackFor(url, { iss: AUTHORITY }))).rejects.toMatchObject({
      code: 'invalid_response',
    });
    url = await w.startLogin(client);
    w.provider.onToken((req) => w.provider.issue(req, { claims: { iss: AUTHORITY } }));
    await expect(client.handleRedirectCallback(w.callbackFor(url))).rejects.toMatchObject({ code: 'invalid_response' });
    expect(await client.getSession()).toBeNull();
  });

  it('is refused when the issuer option names yet another issuer', async () => {
    useOtherIssuer();
    const err = (await w.client({ authority: AUTHORITY, issuer: 'https://elsewhere.example' }).login().catch((e: AuthError) => e)) as AuthError;
    expect(err).toMatchObject({ code: 'issuer_mismatch' });
    expect(err.message).toContain(`"${OTHER_ISSUER}"`);
    expect(err.message).toContain('"issuer" option "https://elsewhere.example/"');
    expect(w.nav).not.toHaveBeenCalled();
  });

  it('is refused when the authority serves a document naming the authority but the option names another issuer', async () => {
    const err = (await w.client({ issuer: OTHER_ISSUER }).login().catch((e: AuthError) => e)) as AuthError;
    expect(err).toMatchObject({ code: 'issuer_mismatch' });
  });

  it('does not pass by a cached document accepted under other options', async () => {
    useOtherIssuer();
    const cache = memoryStore();
    const accepted = resolveConfig(baseOptions({ authority: AUTHORITY, issuer: OTHER_ISSUER }));
    await expect(discover(accepted, cache)).resolves.toMatchObject({ issuer: OTHER_ISSUER });
    // The same tab, the same authority, without the option (or with another one): checked again, refused again.
    for (const issuer of [undefined, 'https://elsewhere.example']) {
      const c = resolveConfig(baseOptions({ authority: AUTHORITY, issuer }));
      await expect(discover(c, cache)).rejects.toMatchObject({ code: 'issuer_mismatch' });
      // Even a copy planted under this config's own key is checked against the expected issuer.
      cache.set(`cpk.as:${c.authority}${c.issuer ? ` ${c.issuer}` : ''}`, JSON.stringify(w.provider.metadata));
      await expect(discover(c, cache)).rejects.toMatchObject({ code: 'issuer_mismatch' });
    }
    expect(w.provider.discoveryRequests).toHaveLength(5);
  });
});
