import { processRefreshTokenResponse, type TokenEndpointResponse } from 'oauth4webapi';
import { describe, expect, it } from 'vitest';
import { parseSession, publicSession, type StoredSession, sessionFromTokenResponse } from '../../src/session.js';
import { CLIENT_ID, ISSUER, json, makeJwt } from './support/fake-provider.js';

const T = Date.parse('2030-01-01T00:00:00Z');

/** A token response validated by oauth4webapi, as the SDK gets it (claims are only readable after validation). */
async function validated(body: Record<string, unknown>): Promise<TokenEndpointResponse> {
  return processRefreshTokenResponse({ issuer: ISSUER, token_endpoint: `${ISSUER}/token` }, { client_id: CLIENT_ID }, json(body));
}

function idToken(sub = 'user-1') {
  const now = Math.floor(Date.now() / 1000);
  return makeJwt({ iss: ISSUER, aud: CLIENT_ID, sub, iat: now, exp: now + 300 });
}

const previous: StoredSession = {
  accessToken: 'old-at',
  tokenType: 'bearer',
  expiresAt: T,
  receivedAt: T - 3_600_000,
  scope: 'openid ocsapi',
  idToken: 'old-id-token',
  claims: { iss: ISSUER, aud: CLIENT_ID, sub: 'user-1', iat: 1, exp: 2 },
  refreshToken: 'old-rt',
  loginId: 'login-1',
  loginAt: T - 7_200_000,
};

describe('sessionFromTokenResponse', () => {
  it('builds the session from the response, its expiry counted from when it arrived', async () => {
    const token = idToken();
    const r = await validated({ access_token: 'at', token_type: 'Bearer', expires_in: 300, scope: 'openid', id_token: token, refresh_token: 'rt' });
    const s = sessionFromTokenResponse(r, T, null);
    expect(s).toEqual({
      accessToken: 'at',
      tokenType: 'bearer',
      expiresAt: T + 300_000,
      receivedAt: T,
      scope: 'openid',
      idToken: token,
      claims: expect.objectContaining({ sub: 'user-1', iss: ISSUER }),
      refreshToken: 'rt',
      // A new login, made when the response arrived.
      loginId: expect.any(String),
      loginAt: T,
    });
  });

  it('assumes an hour without expires_in', async () => {
    const s = sessionFromTokenResponse(await validated({ access_token: 'at', token_type: 'bearer' }), T, null);
    expect(s.expiresAt).toBe(T + 3_600_000);
  });

  it('keeps the ID token, claims, refresh token and scope of the previous session when a refresh omits them', async () => {
    const s = sessionFromTokenResponse(await validated({ access_token: 'new-at', token_type: 'bearer', expires_in: 60 }), T, previous);
    expect(s).toMatchObject({
      accessToken: 'new-at',
      expiresAt: T + 60_000,
      receivedAt: T,
      scope: previous.scope,
      idToken: previous.idToken,
      claims: previous.claims,
      refreshToken: previous.refreshToken,
      loginId: previous.loginId,
      loginAt: previous.loginAt,
    });
  });

  it('makes a renewal newer than the session it replaces, even within the same millisecond', async () => {
    const r = await validated({ access_token: 'new-at', token_type: 'bearer', expires_in: 60 });
    expect(sessionFromTokenResponse(r, previous.receivedAt, previous).receivedAt).toBe(previous.receivedAt + 1);
  });

  it('takes what a refresh does send over the previous session', async () => {
    const token = idToken('user-1');
    const r = await validated({ access_token: 'new-at', token_type: 'bearer', id_token: token, refresh_token: 'new-rt', scope: 'openid' });
    const s = sessionFromTokenResponse(r, T, previous);
    expect(s).toMatchObject({ idToken: token, refreshToken: 'new-rt', scope: 'openid' });
    expect(s.claims?.iat).not.toBe(1);
  });
});

describe('publicSession', () => {
  it('hides the refresh token and the bookkeeping, without changing the stored session', () => {
    const p = publicSession(previous);
    for (const k of ['refreshToken', 'receivedAt', 'loginId', 'loginAt']) expect(p).not.toHaveProperty(k);
    expect(p).toMatchObject({ accessToken: 'old-at', expiresAt: T, idToken: 'old-id-token' });
    expect(previous.refreshToken).toBe('old-rt');
  });
});

describe('parseSession', () => {
  it('reads a stored session back', () => {
    expect(parseSession(JSON.stringify(previous))).toEqual(previous);
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['an empty string', ''],
    ['corrupt JSON', '{"accessToken":'],
    ['JSON null', 'null'],
    ['a number', '42'],
    ['an old format without receivedAt', JSON.stringify({ accessToken: 'at', expiresAt: T })],
    ['a string expiry', JSON.stringify({ accessToken: 'at', expiresAt: String(T), receivedAt: T })],
    ['no access token', JSON.stringify({ expiresAt: T, receivedAt: T })],
    ['a format without the login', JSON.stringify({ accessToken: 'at', tokenType: 'bearer', expiresAt: T, receivedAt: T })],
    ['a refresh token that is not a string', JSON.stringify({ ...previous, refreshToken: { rt: 1 } })],
  ])('reads %s as no session', (_name, raw) => {
    expect(parseSession(raw)).toBeNull();
  });
});
