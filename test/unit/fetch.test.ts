import { describe, expect, it, vi } from 'vitest';
import { connectApiUrl, connectAuthority, createAuthorizedFetch, createConnectClient } from '../../src/index.js';
import { REDIRECT_URI, serverError } from './support/fake-provider.js';
import { useWorld } from './support/world.js';

const w = useWorld();

/** An API at `origin`, next to the provider: records what it receives and answers with the queued statuses (then 200). */
function apiAt(origin: string, ...statuses: number[]) {
  const seen: { method: string; url: string; authorization: string | null; body: string }[] = [];
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
    if (!(input instanceof Request) || !input.url.startsWith(origin)) return w.provider.fetch(input, init);
    seen.push({ method: input.method, url: input.url, authorization: input.headers.get('authorization'), body: await input.text() });
    return new Response('{}', { status: statuses.shift() ?? 200 });
  });
  return seen;
}
const api = (...statuses: number[]) => apiAt('https://api.example/', ...statuses);
/** The authorized fetch for the test API's origin. */
const authorized = (client: Parameters<typeof createAuthorizedFetch>[0]) =>
  createAuthorizedFetch(client, { origins: ['https://api.example'] });


describe('createAuthorizedFetch()', () => {
  const API = 'https://api.example/v1/items';

  it('sends the access token as a Bearer token, keeping the request as it was', async () => {
    const client = w.client({ automaticSilentRenew: false });
    const { session } = await w.signIn(client);
    const seen = api();
    const res = await authorized(client)(API, { method: 'POST', body: '{"name":"pump"}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    expect(seen).toEqual([{ method: 'POST', url: API, authorization: `Bearer ${session.accessToken}`, body: '{"name":"pump"}' }]);
  });

  it('on a 401, renews once and retries once with the new token and the same body', async () => {
    w.provider.issueRefreshTokens = true;
    const client = w.client({ automaticSilentRenew: false });
    const { session } = await w.signIn(client);
    const seen = api(401);
    const res = await authorized(client)(new Request(API, { method: 'PUT', body: 'payload' }));
    expect(res.status).toBe(200);
    const renewed = w.provider.issuedAccessTokens.at(-1);
    expect(renewed).not.toBe(session.accessToken);
    expect(seen.map((r) => [r.authorization, r.body])).toEqual([
      [`Bearer ${session.accessToken}`, 'payload'],
      [`Bearer ${renewed}`, 'payload'],
    ]);
  });

  it('returns a second 401 as it is, without looping', async () => {
    w.provider.issueRefreshTokens = true;
    const client = w.client({ automaticSilentRenew: false });
    await w.signIn(client);
    const seen = api(401, 401, 401);
    const before = w.provider.tokenRequests.length;
    expect((await authorized(client)(API)).status).toBe(401);
    expect(seen).toHaveLength(2);
    expect(w.provider.tokenRequests).toHaveLength(before + 1);
  });

  it.each([403, 404, 500])('passes a %s through without renewing', async (status) => {
    w.provider.issueRefreshTokens = true;
    const client = w.client({ automaticSilentRenew: false });
    await w.signIn(client);
    const seen = api(status);
    const before = w.provider.tokenRequests.length;
    expect((await authorized(client)(API)).status).toBe(status);
    expect(seen).toHaveLength(1);
    expect(w.provider.tokenRequests).toHaveLength(before);
  });

  it('renews for an API that refuses every token once, not once per request', async () => {
    w.provider.issueRefreshTokens = true;
    const client = w.client({ automaticSilentRenew: false });
    await w.signIn(client);
    const seen = api(401, 401, 401, 401, 401);
    const before = w.provider.tokenRequests.length;
    const fetchApi = authorized(client);
    for (let i = 0; i < 3; i++) expect((await fetchApi(API)).status).toBe(401);
    // The first request renewed and retried; the next two were refused with the renewed token and passed through.
    expect(w.provider.tokenRequests).toHaveLength(before + 1);
    expect(seen).toHaveLength(4);
  });

  it('sends the token to the page\'s own origin and the origins it was given, nowhere else', async () => {
    const client = w.client({ automaticSilentRenew: false });
    const { session } = await w.signIn(client);
    const seen = apiAt(location.origin);
    const onlySelf = createAuthorizedFetch(client);
    await onlySelf('/api/items');
    await expect(onlySelf(API)).rejects.toMatchObject({ name: 'AuthError', code: 'untrusted_origin' });
    await expect(authorized(client)('https://api.example.evil.test/v1')).rejects.toMatchObject({ code: 'untrusted_origin' });
    expect(seen.map((r) => [r.url, r.authorization])).toEqual([[`${location.origin}/api/items`, `Bearer ${session.accessToken}`]]);
  });

  it('rejects with the AuthError when the renewal after a 401 fails', async () => {
    w.provider.issueRefreshTokens = true;
    const client = w.client({ automaticSilentRenew: false });
    await w.signIn(client);
    api(401);
    w.provider.onToken(serverError(500));
    await expect(authorized(client)(API)).rejects.toMatchObject({ name: 'AuthError', code: 'network' });
  });
});

describe('a CONNECT client', () => {
  it('calls the REST API with its access token through auth.fetch', async () => {
    const now = Date.now();
    const session = { accessToken: 'at-connect', tokenType: 'bearer', expiresAt: now + 3_600_000, receivedAt: now, loginId: 'l', loginAt: now };
    // The session an earlier page stored for this client (its key names the scope and the tenant).
    sessionStorage.setItem(`cpk:c@${connectAuthority('uswe')}#ocsapi openid#acr_values=tenant%3At`, JSON.stringify(session));
    const auth = createConnectClient({ region: 'uswe', tenantId: 't', clientId: 'c', redirectUri: REDIRECT_URI, shareAcrossTabs: false });
    const seen = apiAt('https://uswe.datahub.connect.aveva.com/');
    const url = connectApiUrl({ region: 'uswe', tenantId: 't' }, 'Namespaces');
    expect((await auth.fetch(url)).status).toBe(200);
    expect(seen).toEqual([{ method: 'GET', url, authorization: 'Bearer at-connect', body: '' }]);
    auth.dispose();
  });
});
