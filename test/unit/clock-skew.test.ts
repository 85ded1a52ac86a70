/**
 * A browser clock 5 minutes off the provider's.
 *
 * - The session's expiry is counted from `expires_in` at the moment the token response arrived, by the browser's
 *   own clock, so renewal is scheduled correctly however wrong that clock is (the provider's timestamps, e.g. a
 *   JWT access token's `exp`, are never used for it).
 * - ID-token time checks (done by oauth4webapi 3.8.x for token-endpoint responses, with `clockTolerance`, default
 *   60 s): `exp` (rejected once `exp <= now - tolerance`) and `nbf` (rejected while `nbf > now + tolerance`).
 *   `iat` and `auth_time` are checked for type only: no bound against the clock, and `auth_time` is compared
 *   with `max_age` only when a max age is passed, which the SDK never does.
 *
 * "The provider's clock" below is the right time; the browser's is `skew` ms off it.
 */
import { describe, expect, it, vi } from 'vitest';
import { type AuthClientOptions, AuthError } from '../../src/index.js';
import { type IssueOverrides, makeJwt } from './support/fake-provider.js';
import { storageSnapshot } from './support/faults.js';
import { SESSION_KEY, TX_KEY, useWorld } from './support/world.js';

const w = useWorld();
const MIN = 60_000;
const SKEW = 5 * MIN;
const TRUE_TIME = Date.parse('2030-01-01T00:00:00Z');

/** Sets the browser clock `skew` ms off the true time (fake Date; fake timers too with `timers`). */
function browserClock(skew: number, timers = false) {
  vi.useFakeTimers(timers ? undefined : { toFake: ['Date'] });
  vi.setSystemTime(TRUE_TIME + skew);
  /** Now, in seconds, by the provider's (right) clock. */
  return () => Math.floor((Date.now() - skew) / 1000);
}

const refreshes = () => w.provider.tokenRequests.filter((r) => r.body?.get('grant_type') === 'refresh_token');

describe('a browser clock 5 minutes off: expiry and renewal by the local clock', () => {
  it.each([
    ['fast', SKEW],
    ['slow', -SKEW],
  ])('%s: expiry = arrival + expires_in, and the renewal comes a minute before it', async (_name, skew) => {
    const provider = browserClock(skew, true);
    w.provider.issueRefreshTokens = true;
    w.provider.expiresIn = 600;
    // The provider stamps everything with its own clock: a JWT access token whose exp is 5 minutes off ours.
    w.provider.onToken((req) =>
      w.provider.issue(req, {
        accessToken: makeJwt({ iss: w.provider.issuer, exp: provider() + 600, iat: provider() }),
        claims: { iat: provider(), exp: provider() + 3600 },
      }),
    );
    const client = w.client();
    /** Each new session, with the (browser) time it arrived. */
    const arrivals: { at: number; expiresAt: number; accessToken: string }[] = [];
    client.on('token', (s) => arrivals.push({ at: Date.now(), expiresAt: s.expiresAt, accessToken: s.accessToken }));
    const arrival = Date.now();
    const { session } = await w.signIn(client);

    expect(session.expiresAt).toBe(arrival + 600_000);
    expect(await client.isAuthenticated()).toBe(true);
    expect(await client.getAccessToken()).toBe(session.accessToken);

    // Due 60 s before the local expiry, less up to 10 % of that (jitter): between 8:54 and 9:00 after arrival.
    await vi.advanceTimersByTimeAsync(9 * MIN - 6_000 - 1);
    expect(refreshes()).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(6_001);
    expect(refreshes()).toHaveLength(1);
    const renewed = arrivals.at(-1)!;
    expect(arrivals).toHaveLength(2);
    expect(renewed.accessToken).toBe(w.provider.issuedAccessTokens.at(-1));
    expect(renewed.at - arrival).toBeGreaterThanOrEqual(9 * MIN - 6_000);
    expect(renewed.expiresAt).toBe(renewed.at + 600_000);
    expect(await client.isAuthenticated()).toBe(true);
  });
});

interface SkewedIdToken {
  name: string;
  skew: number;
  claims: (provider: number) => IssueOverrides['claims'];
  /** With the default 60 s tolerance. */
  byDefault: 'accepted' | 'rejected';
}

const skewedIdTokens: SkewedIdToken[] = [
  {
    name: 'browser 5 min fast, exp 10 s after the provider issued it (expired 4:50 ago by our clock)',
    skew: SKEW,
    claims: (p) => ({ iat: p, exp: p + 10 }),
    byDefault: 'rejected',
  },
  {
    name: 'browser 5 min slow, nbf = iat = the provider now (5 min in our future)',
    skew: -SKEW,
    claims: (p) => ({ iat: p, nbf: p, exp: p + 3600 }),
    byDefault: 'rejected',
  },
  {
    name: 'browser 5 min slow, iat 5 min in our future, no nbf (iat is not compared with the clock)',
    skew: -SKEW,
    claims: (p) => ({ iat: p, exp: p + 3600 }),
    byDefault: 'accepted',
  },
  {
    name: 'browser 5 min fast, iat 5 min in our past',
    skew: SKEW,
    claims: (p) => ({ iat: p, exp: p + 3600 }),
    byDefault: 'accepted',
  },
  {
    name: 'browser 5 min slow, auth_time 5 min in our future (only its type is checked)',
    skew: -SKEW,
    claims: (p) => ({ iat: p, exp: p + 3600, auth_time: p }),
    byDefault: 'accepted',
  },
  {
    name: 'browser 5 min fast, auth_time 5 min in our past',
    skew: SKEW,
    claims: (p) => ({ iat: p - 60, exp: p + 3600, auth_time: p - 60 }),
    byDefault: 'accepted',
  },
];

/** Signs in with an ID token carrying `claims`; returns the error, or undefined when it was accepted. */
async function signInWith(claims: IssueOverrides['claims'], o: Partial<AuthClientOptions> = {}) {
  const client = w.client(o);
  w.provider.onToken((req) => w.provider.issue(req, { claims }));
  const url = await w.startLogin(client);
  const before = storageSnapshot([TX_KEY]);
  const error = await client.handleRedirectCallback(w.callbackFor(url)).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error) {
    expect(error).toBeInstanceOf(AuthError);
    expect(await client.getSession()).toBeNull();
    expect(storageSnapshot([TX_KEY])).toEqual(before);
  } else {
    expect((await client.getSession())?.claims).toMatchObject(claims ?? {});
  }
  return error;
}

describe('ID-token time claims 5 minutes off', () => {
  it.each(skewedIdTokens)('$name: $byDefault with the default clockTolerance (60 s)', async (c) => {
    const provider = browserClock(c.skew);
    const error = await signInWith(c.claims(provider()));
    if (c.byDefault === 'accepted') expect(error).toBeUndefined();
    else expect(error).toMatchObject({ code: 'invalid_response' });
  });

  it.each(skewedIdTokens)('$name: accepted with clockTolerance: 400', async (c) => {
    const provider = browserClock(c.skew);
    expect(await signInWith(c.claims(provider()), { clockTolerance: 400 })).toBeUndefined();
  });

  it('clockTolerance: 400 still rejects an ID token expired 7 minutes ago', async () => {
    const provider = browserClock(0);
    expect(await signInWith({ iat: provider() - 3600, exp: provider() - 420 }, { clockTolerance: 400 })).toMatchObject({
      code: 'invalid_response',
    });
  });

  it('rejects an auth_time that is not a number (the one check auth_time gets)', async () => {
    const provider = browserClock(SKEW);
    expect(await signInWith({ iat: provider(), exp: provider() + 3600, auth_time: 'yesterday' })).toMatchObject({
      code: 'invalid_response',
    });
  });

  it.each([
    ['the default clockTolerance rejects it (and the iframe answer, equally off); the session is kept', undefined, 'rejected'],
    ['clockTolerance: 400 accepts it', 400, 'accepted'],
  ] as const)('a refreshed ID token 5 minutes off: %s', async (_name, clockTolerance, outcome) => {
    const provider = browserClock(SKEW);
    w.provider.issueRefreshTokens = true;
    const client = w.client({ automaticSilentRenew: false, clockTolerance });
    const { session } = await w.signIn(client);
    const skewed = () => w.provider.onToken((req) => w.provider.issue(req, { claims: { iat: provider(), exp: provider() + 10 } }));
    skewed();
    const renewing = client.renew().then(
      (s) => s,
      (e: unknown) => e,
    );
    if (outcome === 'rejected') {
      // A refresh answer that fails validation is not trusted; the SDK renews in the iframe instead, whose code
      // exchange meets the same provider clock.
      skewed();
      await w.answerSilentFrame();
    }
    const result = await renewing;
    if (outcome === 'rejected') {
      expect(result).toMatchObject({ name: 'AuthError', code: 'invalid_response' });
      expect(await client.getSession()).toEqual(session);
      expect(JSON.parse(sessionStorage.getItem(SESSION_KEY)!).accessToken).toBe(session.accessToken);
    } else {
      expect(result).toMatchObject({ accessToken: w.provider.issuedAccessTokens.at(-1) });
    }
  });

  it('with max_age=300 requested, rejects an ID token whose auth_time is an hour old', async () => {
    browserClock(0);
    const now = Math.floor(Date.now() / 1000);
    const client = w.client();
    w.provider.onToken((req) => w.provider.issue(req, { claims: { auth_time: now - 3600 } }));
    const url = await w.startLogin(client, { extraParams: { max_age: '300' } });
    expect(url.searchParams.get('max_age')).toBe('300');
    await expect(client.handleRedirectCallback(w.callbackFor(url))).rejects.toMatchObject({ code: 'invalid_response' });
  });
});
