/** The `logger` option (src/log.ts): each step in order, and never a secret in what it is given. */
import { describe, expect, it, vi } from 'vitest';
import { consoleLogger, type LogEntry } from '../../src/index.js';
import { serverError } from './support/fake-provider.js';
import { pendingTransactions, SESSION_KEY, useWorld } from './support/world.js';

const w = useWorld();

describe('logger', () => {
  it('tells each step of login, callback, renewal, a failure and logout, with no token, code, verifier or state', async () => {
    const entries: LogEntry[] = [];
    w.provider.issueRefreshTokens = true;
    const client = w.client({ automaticSilentRenew: false, logger: (e) => entries.push(e) });
    const url = await w.startLogin(client);
    const state = url.searchParams.get('state')!;
    const { verifier } = pendingTransactions()[state]!;
    const callback = w.callbackFor(url);
    history.replaceState(null, '', callback);
    await client.handleRedirectCallback();
    const stored = sessionStorage.getItem(SESSION_KEY)!;
    await client.renew();
    w.provider.onToken(serverError(503));
    await client.renew().catch(() => {});
    await client.logout();

    expect(entries.map((e) => e.step)).toEqual(['login', 'callback', 'renew', 'renewed', 'renew', 'renewFailed', 'logout']);
    expect(entries[2]).toMatchObject({ path: 'refresh_token', waited: false });
    expect(entries[3]).toMatchObject({ path: 'refresh_token', expiresIn: 3600 });
    expect(entries[5]).toMatchObject({ code: 'network', retryIn: expect.any(Number) });
    expect(entries[6]).toMatchObject({ revoke: true, endSession: 'post' });
    const text = JSON.stringify(entries);
    const secrets = [
      verifier,
      state,
      new URL(callback).searchParams.get('code')!,
      ...w.provider.issuedAccessTokens,
      JSON.parse(stored).refreshToken,
      JSON.parse(stored).idToken,
    ];
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toContain('http');
  });

  it('reports a session it refuses, and what holds the next attempt after a failure that needs the user', async () => {
    const entries: LogEntry[] = [];
    const client = w.client({ automaticSilentRenew: false, logger: (e) => entries.push(e) });
    await w.signIn(client);
    await client.logout();
    await client.renew().catch(() => {});
    expect(entries.at(-1)).toMatchObject({ step: 'renewFailed', code: 'login_required', held: true });
  });

  it('a logger that throws breaks nothing: the login still navigates', async () => {
    const client = w.client({
      logger: () => {
        throw new Error('broken logger');
      },
    });
    await w.startLogin(client);
    expect(w.nav).toHaveBeenCalledTimes(1);
  });

  it('is checked: a logger that is not a function is invalid_config', () => {
    expect(() => w.client({ logger: 'console' as never })).toThrow(expect.objectContaining({ code: 'invalid_config' }));
  });

  it('consoleLogger writes one console.debug line per entry, facts as key=value', () => {
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => {});
    consoleLogger({ step: 'renewFailed', code: 'timeout', retryIn: 1000, held: undefined });
    expect(debug).toHaveBeenCalledWith('connect-pkce renewFailed', 'code=timeout', 'retryIn=1000');
  });
});
