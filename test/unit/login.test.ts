import { describe, expect, it, vi } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import { createAuthorizationRequest, TRANSACTION_TTL, createTransactionStore } from '../../src/login.js';
import { memoryStore } from '../../src/storage.js';
import { CLIENT_ID, ISSUER, networkFailure, REDIRECT_URI, s256 } from './support/fake-provider.js';
import { baseOptions, pendingTransactions, SESSION_KEY, TX_KEY, useWorld } from './support/world.js';

const w = useWorld();

describe('login()', () => {
  it('navigates to the authorization endpoint with an S256 challenge that matches the stored verifier', async () => {
    const client = w.client();
    const url = await w.startLogin(client);
    const p = url.searchParams;

    expect(`${url.origin}${url.pathname}`).toBe(`${ISSUER}/authorize`);
    expect(p.get('response_type')).toBe('code');
    expect(p.get('client_id')).toBe(CLIENT_ID);
    expect(p.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(p.get('scope')).toBe('openid');
    expect(p.get('code_challenge_method')).toBe('S256');
    expect(p.has('prompt')).toBe(false);
    expect(p.has('login_hint')).toBe(false);
    expect(p.has('acr_values')).toBe(false);

    const state = p.get('state')!;
    const tx = pendingTransactions()[state];
    expect(tx).toBeDefined();
    expect(tx!.verifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(p.get('code_challenge')).toBe(await s256(tx!.verifier));
    expect(p.get('nonce')).toBe(tx!.nonce);
    // The verifier is a secret of this browser: it never travels in the URL.
    expect(url.href).not.toContain(tx!.verifier);
  });

  it('uses a fresh state, nonce and verifier for every login', async () => {
    const client = w.client();
    const a = await w.startLogin(client);
    const b = await w.startLogin(client);
    const txs = pendingTransactions();
    expect(a.searchParams.get('state')).not.toBe(b.searchParams.get('state'));
    expect(a.searchParams.get('nonce')).not.toBe(b.searchParams.get('nonce'));
    expect(a.searchParams.get('code_challenge')).not.toBe(b.searchParams.get('code_challenge'));
    expect(Object.keys(txs)).toHaveLength(2);
  });

  it('sends the configured scope, acr_values=tenant:<id> and extra parameters', async () => {
    const client = w.client({
      scope: 'openid ocsapi',
      tenantId: 'tenant-42',
      extraAuthorizationParams: { ui_locales: 'de', resource: 'https://api.example' },
    });
    const p = (await w.startLogin(client)).searchParams;
    expect(p.get('scope')).toBe('openid ocsapi');
    expect(p.get('acr_values')).toBe('tenant:tenant-42');
    expect(p.get('ui_locales')).toBe('de');
    expect(p.get('resource')).toBe('https://api.example');
  });

  it('sends prompt, login_hint and per-login parameters', async () => {
    const client = w.client({ extraAuthorizationParams: { ui_locales: 'de' } });
    const p = (
      await w.startLogin(client, { prompt: 'login', loginHint: 'alice@example.com', extraParams: { ui_locales: 'fr', max_age: '0' } })
    ).searchParams;
    expect(p.get('prompt')).toBe('login');
    expect(p.get('login_hint')).toBe('alice@example.com');
    expect(p.get('ui_locales')).toBe('fr');
    expect(p.get('max_age')).toBe('0');
  });

  it.each(['state', 'nonce', 'code_challenge', 'code_challenge_method', 'client_id', 'redirect_uri', 'response_type', 'response_mode', 'scope'])(
    'refuses extra parameters that set %s, in the options and per login, storing nothing',
    async (name) => {
      const forged = { [name]: 'forged' };
      expect(() => w.client({ extraAuthorizationParams: forged })).toThrow(expect.objectContaining({ code: 'invalid_config' }));
      const client = w.client();
      await expect(client.login({ extraParams: forged })).rejects.toMatchObject({ code: 'invalid_config' });
      expect(w.nav).not.toHaveBeenCalled();
      expect(sessionStorage.getItem(TX_KEY)).toBeNull();
    },
  );

  it('refuses a max_age that is not a whole number of seconds', () => {
    expect(() => w.client({ extraAuthorizationParams: { max_age: '1e3' } })).toThrow(expect.objectContaining({ code: 'invalid_config' }));
    expect(() => w.client({ extraAuthorizationParams: { max_age: '300' } })).not.toThrow();
  });

  it.each(['https://evil.example/', '//evil.example/x', 'javascript:alert(1)'])(
    'refuses returnTo %j with invalid_return_to, storing nothing',
    async (returnTo) => {
      const client = w.client();
      await expect(client.login({ returnTo })).rejects.toMatchObject({ name: 'AuthError', code: 'invalid_return_to' });
      expect(w.nav).not.toHaveBeenCalled();
      expect(sessionStorage.getItem(TX_KEY)).toBeNull();
    },
  );

  it('keeps the pending login in sessionStorage, keyed by state, with what the callback needs', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
    const client = w.client({ storage: 'local' });
    const url = await w.startLogin(client, { returnTo: '/after' });
    const raw = JSON.parse(sessionStorage.getItem(TX_KEY)!);
    expect(raw).toEqual({
      [url.searchParams.get('state')!]: {
        verifier: expect.any(String),
        nonce: url.searchParams.get('nonce'),
        redirectUri: REDIRECT_URI,
        returnTo: '/after',
        createdAt: Date.parse('2030-01-01T00:00:00Z'),
      },
    });
    // Even with storage: 'local', the PKCE secrets stay in this tab only.
    expect(localStorage.length).toBe(0);
  });

  it('keeps the pending login in sessionStorage even when the session lives in memory', async () => {
    const client = w.client({ storage: 'memory' });
    const url = await w.startLogin(client);
    expect(pendingTransactions()).toHaveProperty(url.searchParams.get('state')!);
    await client.handleRedirectCallback(w.callbackFor(url));
    expect(sessionStorage.getItem(SESSION_KEY)).toBeNull();
    expect(await client.isAuthenticated()).toBe(true);
  });

  it('accepts the callback up to 10 minutes after login', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const client = w.client();
    const url = await w.startLogin(client);
    vi.setSystemTime(Date.now() + TRANSACTION_TTL - 1_000);
    await expect(client.handleRedirectCallback(w.callbackFor(url))).resolves.toMatchObject({ session: expect.any(Object) });
  });

  it('rejects the callback of a login older than 10 minutes with state_mismatch', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const client = w.client();
    const url = await w.startLogin(client);
    vi.setSystemTime(Date.now() + TRANSACTION_TTL);
    await expect(client.handleRedirectCallback(w.callbackFor(url))).rejects.toMatchObject({ code: 'state_mismatch' });
    expect(w.provider.tokenRequests).toHaveLength(0);
    expect(await client.getSession()).toBeNull();
  });

  it('prunes stale pending logins when a new one is saved', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const client = w.client();
    const old = await w.startLogin(client);
    vi.setSystemTime(Date.now() + TRANSACTION_TTL + 1);
    const fresh = await w.startLogin(client);
    expect(Object.keys(pendingTransactions())).toEqual([fresh.searchParams.get('state')]);
    expect(pendingTransactions()).not.toHaveProperty(old.searchParams.get('state')!);
  });

  it('survives a corrupt pending-login entry: a new login works, unknown callbacks fail cleanly', async () => {
    sessionStorage.setItem(TX_KEY, '{not json');
    const client = w.client();
    await expect(client.handleRedirectCallback(`${REDIRECT_URI}?state=s&code=c&iss=${ISSUER}`)).rejects.toMatchObject({
      code: 'state_mismatch',
    });
    sessionStorage.setItem(TX_KEY, '{not json');
    const url = await w.startLogin(client);
    await expect(client.handleRedirectCallback(w.callbackFor(url))).resolves.toBeDefined();
  });

  it('does not navigate when the provider cannot be discovered', async () => {
    w.provider.onDiscovery(networkFailure());
    const client = w.client();
    await expect(client.login()).rejects.toMatchObject({ code: 'network' });
    expect(w.nav).not.toHaveBeenCalled();
    expect(sessionStorage.getItem(TX_KEY)).toBeNull();
  });

  it('rejects with invalid_response when the provider has no authorization endpoint', async () => {
    const client = w.client({ metadata: { issuer: ISSUER, token_endpoint: `${ISSUER}/token` } });
    await expect(client.login()).rejects.toMatchObject({ code: 'invalid_response' });
    expect(w.nav).not.toHaveBeenCalled();
  });
});

describe('createAuthorizationRequest', () => {
  it('returns the URL, its state and the transaction to keep', async () => {
    const c = resolveConfig(baseOptions({ tenantId: 't1' }));
    const as = { issuer: ISSUER, authorization_endpoint: `${ISSUER}/authorize?fixed=1` };
    const { url, state, tx } = await createAuthorizationRequest(as, c, {
      redirectUri: 'http://localhost:3000/silent',
      prompt: 'none',
      returnTo: '/x',
    });
    expect(url.searchParams.get('fixed')).toBe('1');
    expect(url.searchParams.get('state')).toBe(state);
    expect(url.searchParams.get('prompt')).toBe('none');
    expect(url.searchParams.get('acr_values')).toBe('tenant:t1');
    expect(url.searchParams.get('redirect_uri')).toBe('http://localhost:3000/silent');
    expect(tx).toMatchObject({ redirectUri: 'http://localhost:3000/silent', returnTo: '/x', nonce: url.searchParams.get('nonce') });
    expect(url.searchParams.get('code_challenge')).toBe(await s256(tx.verifier));
  });
});

describe('TransactionStore', () => {
  const tx = (createdAt = Date.now()) => ({ verifier: 'v', nonce: 'n', redirectUri: REDIRECT_URI, createdAt });

  it('hands a transaction out once', async () => {
    const store = createTransactionStore(memoryStore(), 'k');
    await store.save('s1', tx());
    expect(await store.take('s1')).toMatchObject({ verifier: 'v' });
    expect(await store.take('s1')).toBeUndefined();
  });

  it('removes its entry when the last transaction is taken', async () => {
    const mem = memoryStore();
    const store = createTransactionStore(mem, 'k');
    await store.save('s1', tx());
    await store.take('s1');
    expect(await mem.get('k')).toBeUndefined();
  });

  it('does not mistake Object.prototype members for transactions', async () => {
    const store = createTransactionStore(memoryStore(), 'k');
    await store.save('s1', tx());
    for (const state of ['constructor', 'toString', '__proto__', 'hasOwnProperty'])
      expect(await store.take(state)).toBeUndefined();
  });

  it('drops transactions dated in the future or malformed', async () => {
    const mem = memoryStore();
    mem.set('k', JSON.stringify({ future: tx(Date.now() + 60_000), broken: null, noDate: { verifier: 'v' } }));
    const store = createTransactionStore(mem, 'k');
    for (const state of ['future', 'broken', 'noDate']) expect(await store.take(state)).toBeUndefined();
  });

  it('clear() forgets every pending login', async () => {
    const store = createTransactionStore(memoryStore(), 'k');
    await store.save('s1', tx());
    await store.save('s2', tx());
    await store.clear();
    expect(await store.take('s1')).toBeUndefined();
    expect(await store.take('s2')).toBeUndefined();
  });
});
