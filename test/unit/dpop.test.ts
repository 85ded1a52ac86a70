// connect-pkce/dpop (issue 23): the add-on's hooks driven by the real client against the fake provider, with the key
// pairs in an in-memory key store (happy-dom has no IndexedDB, which gives the "unavailable" case for free).
import { describe, expect, it, vi } from 'vitest';
import { type DPoPKeyRecord, type DPoPKeyStore, dpop } from '../../src/dpop.js';
import { type AuthError, createAuthorizedFetch } from '../../src/index.js';
import { setAddress } from './support/browser.js';
import { json } from './support/fake-provider.js';
import { useWorld } from './support/world.js';

const w = useWorld();

/** Key records in memory, shared by the clients given the same store (as IndexedDB is by an origin's tabs). */
function memoryStore() {
  const records = new Map<string, DPoPKeyRecord>();
  const store: DPoPKeyStore = {
    async get(name, fresh) {
      if (!records.has(name)) records.set(name, await fresh());
      return records.get(name) as DPoPKeyRecord;
    },
    put: async (name, record) => void records.set(name, record),
    delete: async (name) => void records.delete(name),
  };
  return { store, records };
}

const part = (jwt: string, i: number) => JSON.parse(Buffer.from(jwt.split('.')[i] ?? '', 'base64url').toString());
/** A DPoP proof's header and payload (its signature is checked in the e2e tests' resource server). */
const proof = (jwt: string | null | undefined) => ({ header: part(jwt ?? '', 0), payload: part(jwt ?? '', 1) });
const sha256 = async (s: string) => Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s))).toString('base64url');
/** RFC 7638 thumbprint of an EC public JWK. */
const thumbprint = ({ crv, kty, x, y }: Record<string, string>) => sha256(JSON.stringify({ crv, kty, x, y }));

/** A client with DPoP on, its key store, and a provider that binds tokens (token_type DPoP). */
function dpopClient(o: Parameters<typeof dpop>[0] = {}, keys = memoryStore()) {
  w.provider.tokenType = 'DPoP';
  const client = w.client({ automaticSilentRenew: false, dpop: dpop({ keyStore: keys.store, ...o }) });
  return { client, keys };
}

describe('dpop()', () => {
  it('binds a login: dpop_jkt on the authorization request, a proof of the same non-extractable key on the code exchange', async () => {
    const { client, keys } = dpopClient();
    const url = await w.startLogin(client);
    const [record] = [...keys.records.values()];
    expect(record?.keys.privateKey.extractable).toBe(false);
    const jkt = url.searchParams.get('dpop_jkt');
    expect(jkt).toBe(await thumbprint((await crypto.subtle.exportKey('jwk', record?.keys.publicKey as CryptoKey)) as Record<string, string>));

    const seen: (string | null | undefined)[] = [];
    w.provider.onToken((req) => {
      seen.push(req.headers?.get('dpop'));
      return w.provider.issue(req);
    });
    setAddress(w.callbackFor(url));
    const { session } = await client.handleRedirectCallback();
    // oauth4webapi gives token_type in lower case.
    expect(session.tokenType).toBe('dpop');
    const { header, payload } = proof(seen[0]);
    expect(header).toMatchObject({ typ: 'dpop+jwt', alg: 'ES256' });
    expect(await thumbprint(header.jwk)).toBe(jkt);
    expect(payload).toMatchObject({ htm: 'POST', htu: w.provider.metadata.token_endpoint });
    expect(payload.ath).toBeUndefined();
  });

  it('refuses a Bearer answer by default (dpop_not_bound): no session is stored', async () => {
    const { client } = dpopClient();
    w.provider.tokenType = 'Bearer';
    await expect(w.signIn(client)).rejects.toMatchObject({ code: 'dpop_not_bound' });
    expect(await client.getSession()).toBeNull();
  });

  it("with bearer: 'accept', takes a Bearer answer with a warning, and the authorized fetch sends it as Bearer", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const logger = vi.fn();
    w.provider.tokenType = 'Bearer';
    const keys = memoryStore();
    const client = w.client({ automaticSilentRenew: false, logger, dpop: dpop({ keyStore: keys.store, bearer: 'accept' }) });
    const { session } = await w.signIn(client);
    expect(session.tokenType).toBe('bearer');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0])).not.toContain(session.accessToken);
    expect(logger).toHaveBeenCalledWith({ step: 'dpop', bearer: true });
    const sent: Request[] = [];
    vi.stubGlobal('fetch', async (r: Request) => {
      sent.push(r);
      return new Response('{}');
    });
    await createAuthorizedFetch(client)('/api');
    expect(sent[0]?.headers.get('authorization')).toBe(`Bearer ${session.accessToken}`);
    expect(sent[0]?.headers.has('dpop')).toBe(false);
  });

  it('answers use_dpop_nonce once with the nonce, and keeps the nonce for the next request to that server', async () => {
    w.provider.issueRefreshTokens = true;
    const { client } = dpopClient();
    const proofs: (string | null | undefined)[] = [];
    const record = (reply: (req: Parameters<Parameters<typeof w.provider.onToken>[0]>[0]) => Response) =>
      w.provider.onToken((req) => {
        proofs.push(req.headers?.get('dpop'));
        return reply(req);
      });
    record(() => json({ error: 'use_dpop_nonce' }, 400, { 'DPoP-Nonce': 'n-1' }));
    record((req) => w.provider.issue(req));
    record((req) => w.provider.issue(req));
    await w.signIn(client);
    await client.renew();
    expect(proofs.map((p) => proof(p).payload.nonce)).toEqual([undefined, 'n-1', 'n-1']);
    expect(w.provider.tokenRequests).toHaveLength(3);
  });

  it('rejects login with dpop_unavailable where the key cannot be kept (no IndexedDB), without navigating or sending Bearer', async () => {
    w.provider.tokenType = 'DPoP';
    const client = w.client({ dpop: dpop() });
    const err = await client.login().catch((e: AuthError) => e);
    expect(err).toMatchObject({ name: 'AuthError', code: 'dpop_unavailable' });
    expect(w.nav).not.toHaveBeenCalled();
    expect(w.provider.tokenRequests).toEqual([]);
  });

  it('sends every API request with Authorization: DPoP and a fresh proof (htm, htu without query, ath)', async () => {
    const { client, keys } = dpopClient();
    const { session } = await w.signIn(client);
    const sent: Request[] = [];
    vi.stubGlobal('fetch', async (r: Request) => {
      sent.push(r);
      return new Response('{}');
    });
    const api = createAuthorizedFetch(client, { origins: ['https://api.example'] });
    await api('https://api.example/v1/items?top=5', { method: 'POST', body: 'x' });
    await api('https://api.example/v1/items?top=5', { method: 'POST', body: 'x' });
    expect(sent.map((r) => r.headers.get('authorization'))).toEqual([`DPoP ${session.accessToken}`, `DPoP ${session.accessToken}`]);
    const [a, b] = sent.map((r) => proof(r.headers.get('dpop')));
    expect(a?.payload).toMatchObject({ htm: 'POST', htu: 'https://api.example/v1/items', ath: await sha256(session.accessToken) });
    expect(a?.payload.jti).not.toBe(b?.payload.jti);
    const [stored] = [...keys.records.values()];
    const jwk = (await crypto.subtle.exportKey('jwk', stored?.keys.publicKey as CryptoKey)) as Record<string, string>;
    expect(await thumbprint(a?.header.jwk)).toBe(await thumbprint(jwk));
    expect(await sent[1]?.text()).toBe('x');
  });

  it("retries once on a resource's use_dpop_nonce with its nonce (the body sent again), and renews once on a 401 otherwise", async () => {
    w.provider.issueRefreshTokens = true;
    const { client } = dpopClient();
    const { session } = await w.signIn(client);
    const sent: { proof: ReturnType<typeof proof>; auth: string | null; body: string }[] = [];
    const answers = [
      new Response(null, { status: 401, headers: { 'WWW-Authenticate': 'DPoP error="use_dpop_nonce"', 'DPoP-Nonce': 'rs-1' } }),
      new Response('{}'),
      new Response(null, { status: 401, headers: { 'WWW-Authenticate': 'DPoP error="invalid_token"' } }),
      new Response('{}'),
    ];
    const provider = w.provider.fetch;
    vi.stubGlobal('fetch', async (r: RequestInfo, init?: RequestInit) => {
      if (!(r instanceof Request)) return provider(r, init);
      sent.push({ proof: proof(r.headers.get('dpop')), auth: r.headers.get('authorization'), body: await r.text() });
      return answers.shift() as Response;
    });
    const api = createAuthorizedFetch(client);
    expect((await api('/api', { method: 'PUT', body: 'b' })).status).toBe(200);
    expect(sent.map((s) => [s.proof.payload.nonce, s.body])).toEqual([
      [undefined, 'b'],
      ['rs-1', 'b'],
    ]);
    // invalid_token: the one-renewal-per-401 rule, with the renewed token and a new proof.
    expect((await api('/api')).status).toBe(200);
    const renewed = (await client.getSession())?.accessToken;
    expect(renewed).not.toBe(session.accessToken);
    expect(sent.slice(2).map((s) => s.auth)).toEqual([`DPoP ${session.accessToken}`, `DPoP ${renewed}`]);
  });

  it('logout deletes the key; the next login makes a new one', async () => {
    const { client, keys } = dpopClient();
    const first = (await w.startLogin(client)).searchParams.get('dpop_jkt');
    await client.logout({ endSession: false });
    expect(keys.records.size).toBe(0);
    const second = (await w.startLogin(client)).searchParams.get('dpop_jkt');
    expect(second).toMatch(/^[\w-]{43}$/);
    expect(second).not.toBe(first);
  });

  it("two clients of one app (two tabs) share one key; a tab that sees the key replaced drops the old one's handle", async () => {
    const keys = memoryStore();
    const a = dpopClient({}, keys).client;
    const b = dpopClient({}, keys).client;
    const jkt = (await w.startLogin(a)).searchParams.get('dpop_jkt');
    expect((await w.startLogin(b)).searchParams.get('dpop_jkt')).toBe(jkt);
    await a.logout({ endSession: false });
    const next = (await w.startLogin(a)).searchParams.get('dpop_jkt');
    expect(next).not.toBe(jkt);
    expect((await w.startLogin(b)).searchParams.get('dpop_jkt')).toBe(next);
  });

  it('refuses an unknown bearer policy with invalid_config', () => {
    expect(() => dpop({ bearer: 'maybe' as 'accept' })).toThrow(expect.objectContaining({ code: 'invalid_config' }));
  });
});
