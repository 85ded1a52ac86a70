/**
 * Property-based tests of `handleRedirectCallback(url)`: 10,000 generated callback URLs in total
 * (8,000 built from a real provider answer and mutated, 2,000 arbitrary URL strings).
 *
 * Each run first starts three real logins (three pending transactions, each with a code the fake provider issued
 * for it), then hands the client one URL. The URLs come from the real callback of one of those logins, mutated:
 * parameters missing, duplicated, emptied, replaced by huge (100 KB), unicode, control-character or injection
 * values, by the state or code of another pending login, or of a login finished in an earlier run, by other
 * issuer spellings; extra `error`, `error_description`, `session_state`, `response`, `id_token`, `token` or junk
 * parameters; parameters in the query, the fragment, or scattered over both; encoded or raw; reordered; passed
 * explicitly or read from the address bar. One branch leaves the genuine callback as it is.
 *
 * The token endpoint is the fake provider's strict default: it redeems only a code it issued, once, with the PKCE
 * verifier of that login and the same redirect URI. Whether a URL is genuine is decided from the URL itself
 * (RFC 6749 §4.1.2, RFC 9207): exactly one `state`, naming a pending login, exactly one `code`, the one issued for
 * that login, exactly one `iss`, the issuer, no `error` or JARM `response` with a value, no `id_token`/`token`.
 *
 * Properties, for every URL:
 * - a genuine URL signs in (the session of the right login, stored, announced once); any other URL rejects with an
 *   AuthError whose `code` is a non-empty string, leaves the session and Web Storage exactly as they were,
 *   announces nothing and makes the provider issue no token;
 * - only the pending login the URL's `state` names is used up; the others stay;
 * - the error's message, string form and description contain no code the provider issued and no PKCE verifier;
 * - read from the address bar, the response parameters are gone from it afterwards, success or not;
 * - no unhandled promise rejection, ever.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthClient, AuthError } from '../../src/index.js';
import { setAddress } from './support/browser.js';
import { APP_ORIGIN, ISSUER, REDIRECT_URI } from './support/fake-provider.js';
import { dump, errorMessageText, settle, storageSnapshot, trackUnhandledRejections } from './support/faults.js';
import { pendingTransactions, SESSION_KEY, TX_KEY, useWorld } from './support/world.js';

/** Runs of each property; together the 10,000 URLs this file promises. */
const MUTATED_RUNS = 8_000;
const ARBITRARY_RUNS = 2_000;

const w = useWorld();
const unhandled = trackUnhandledRejections();
beforeAll(unhandled.start);
afterAll(unhandled.stop);

/** The response parameters the SDK removes from the address bar. */
const RESPONSE_PARAMS = ['code', 'state', 'iss', 'session_state', 'error', 'error_description', 'error_uri'];

/** One of the pending logins of a run, with the secrets the tests watch for. */
interface Pending {
  state: string;
  code: string;
  verifier: string;
  nonce: string;
  returnTo: string;
}

/** States of logins of earlier runs (used up, or dropped): "valid-looking", but no longer pending. */
const stale: string[] = [];
/** The pending logins the next URL is built from. */
let pool: Pending[] = [];

async function newLogin(client: AuthClient): Promise<Pending> {
  w.nav.mockClear();
  const returnTo = `/after/${Math.random()}`;
  const url = await w.startLogin(client, { returnTo });
  const state = url.searchParams.get('state')!;
  const code = new URL(w.callbackFor(url)).searchParams.get('code')!;
  const { verifier, nonce } = pendingTransactions()[state]!;
  return { state, code, verifier, nonce, returnTo };
}

/**
 * Keeps three pending logins with unused codes: a login the last URL used up (its state was taken, or its code
 * reached the token endpoint, which burns a code even when the exchange fails) is dropped, through the public
 * API, and replaced by a fresh one. Cheaper than three new logins per run, and just as real.
 */
async function refreshPool(client: AuthClient, redeemed: Set<string>): Promise<Pending[]> {
  const pending = pendingTransactions();
  for (const [i, t] of pool.entries()) {
    if (Object.hasOwn(pending, t.state) && !redeemed.has(t.code)) continue;
    if (Object.hasOwn(pending, t.state))
      await client.handleRedirectCallback(`${REDIRECT_URI}?state=${encodeURIComponent(t.state)}`).catch(() => {});
    stale.push(t.state);
    pool[i] = await newLogin(client);
  }
  while (pool.length < 3) pool.push(await newLogin(client));
  stale.splice(0, Math.max(0, stale.length - 30));
  return [...pool];
}

/** Codes sent to the token endpoint since request number `from`. */
const codesSentSince = (from: number) =>
  new Set(
    w.provider.requests
      .slice(from)
      .filter((r) => r.url === w.provider.metadata.token_endpoint)
      .map((r) => r.body?.get('code') ?? ''),
  );

/** The pending login a URL genuinely answers, by the protocol's rules, or undefined. */
function genuineFor(href: string, txs: Pending[]): Pending | undefined {
  const q = new URL(href).searchParams;
  const once = (name: string) => {
    const all = q.getAll(name);
    return all.length === 1 ? all[0] : undefined;
  };
  const tx = txs.find((t) => t.state === once('state'));
  if (!tx || once('code') !== tx.code || once('iss') !== ISSUER) return undefined;
  for (const name of ['error', 'response']) {
    const all = q.getAll(name);
    if (all.length > 1 || (all.length === 1 && all[0] !== '')) return undefined;
  }
  if (q.has('id_token') || q.has('token')) return undefined;
  return tx;
}

interface Stats {
  /** Provider requests before the current run. */
  requests: number;
  runs: number;
  genuine: number;
  huge: number;
  codes: Map<string, number>;
}
const newStats = (): Stats => ({ requests: 0, runs: 0, genuine: 0, huge: 0, codes: new Map() });

/**
 * Hands `url` to the client (explicitly, or from the address bar) and checks every property. `url` is built only
 * after the run's pending logins exist, so it may carry their states and codes.
 */
async function check(client: AuthClient, stats: Stats, makeUrl: (txs: Pending[]) => string, addressBar: boolean) {
  setAddress(`${APP_ORIGIN}/`);
  const txs = await refreshPool(client, codesSentSince(stats.requests));
  stats.requests = w.provider.requests.length;
  const url = makeUrl(txs);
  if (addressBar) setAddress(url);
  const address = location.href;
  const href = new URL(url, location.href).href;
  const expected = genuineFor(href, txs);
  const named = new URL(href).searchParams.get('state');

  const pendingBefore = Object.keys(pendingTransactions());
  const sessionBefore = await client.getSession();
  const storageBefore = storageSnapshot([TX_KEY]);
  const issuedBefore = w.provider.issuedAccessTokens.length;
  const events: unknown[] = [];
  const off = client.on('token', (s) => events.push(s));

  const outcome = await (addressBar ? client.handleRedirectCallback() : client.handleRedirectCallback(url)).then(
    (result) => ({ ok: true as const, result }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  off();
  stats.runs++;

  // Only the login the URL names is used up (a replay of it must fail); the other pending logins stay.
  expect(Object.keys(pendingTransactions()).sort()).toEqual(pendingBefore.filter((s) => s !== named).sort());
  // A response to one of the pending logins leaves the address bar, even when it fails; any other URL stays as it
  // was (it may be the app's own `code` and `state` parameters).
  if (addressBar) {
    const ours = !!named && pendingBefore.includes(named);
    const left = new URL(location.href).searchParams;
    if (ours) for (const p of RESPONSE_PARAMS) expect(left.has(p), `address bar still has ${p}`).toBe(false);
    else expect(location.href).toBe(address);
  }

  if (expected) {
    stats.genuine++;
    if (!outcome.ok) throw new Error(`the genuine callback was refused: ${dump(outcome.error)}`);
    const issued = w.provider.issuedAccessTokens.slice(issuedBefore);
    expect(issued).toHaveLength(1);
    const { session, returnTo } = outcome.result;
    expect(session.accessToken).toBe(issued[0]);
    expect(returnTo).toBe(expected.returnTo);
    expect(session.claims?.nonce).toBe(expected.nonce);
    expect(await client.getSession()).toEqual(session);
    expect(JSON.parse(sessionStorage.getItem(SESSION_KEY)!).accessToken).toBe(issued[0]);
    expect(events).toEqual([session]);
    return;
  }

  if (outcome.ok) throw new Error(`a callback that is not genuine signed in: ${href.slice(0, 500)}`);
  const error = outcome.error as AuthError;
  expect(error).toBeInstanceOf(AuthError);
  expect(typeof error.code).toBe('string');
  expect(error.code.length).toBeGreaterThan(0);
  stats.codes.set(error.code.slice(0, 40), (stats.codes.get(error.code.slice(0, 40)) ?? 0) + 1);
  // Nothing stored, nothing announced, nothing issued.
  expect(await client.getSession()).toEqual(sessionBefore);
  expect(storageSnapshot([TX_KEY])).toEqual(storageBefore);
  expect(events).toEqual([]);
  expect(w.provider.issuedAccessTokens).toHaveLength(issuedBefore);
  // No secret in what an app would log. (Values the URL itself put in error/error_description are its own.)
  const text = errorMessageText(error);
  const q = new URL(href).searchParams;
  const echoed = [...q.getAll('error'), ...q.getAll('error_description')].join('\n');
  for (const t of txs) {
    expect(text.includes(t.verifier), 'message contains a PKCE verifier').toBe(false);
    expect(text.includes(t.code), 'message contains an issued code').toBe(false);
  }
  for (const code of q.getAll('code'))
    if (code.length >= 16 && !echoed.includes(code)) expect(text.includes(code), 'message contains the code').toBe(false);
  if (sessionBefore) expect(text.includes(sessionBefore.accessToken)).toBe(false);
  // Nor anywhere in the error, cause chain included (what an error tracker serialises).
  const deep = dump(error);
  for (const t of txs) expect(deep.includes(t.verifier), 'error contains a PKCE verifier').toBe(false);
  if (sessionBefore) expect(deep.includes(sessionBefore.accessToken), 'error contains the access token').toBe(false);
}

// ---- Generators ----------------------------------------------------------------------------------------------

const TXS = 3;
const txIndex = fc.integer({ min: 0, max: TXS - 1 });
const HUGE = 100 * 1024;

/** A value given symbolically: resolved once the run's pending logins exist. */
type Ref = { k: 'state'; i: number } | { k: 'code'; i: number } | { k: 'stale'; j: number } | { k: 'lit'; v: string };

/** About 100 KB once in the URL (percent-encoded), of one repeated unit. */
const huge = fc
  .constantFrom('A', 'é', '😀', '%41', '&code=x', '\u0000', ' ', '=')
  .map((s) => s.repeat(Math.ceil(HUGE / encodeURIComponent(s).length)));
const odd = fc.constantFrom(
  '',
  ' ',
  '%',
  '%00',
  '%zz',
  '&',
  '=',
  '#',
  '?',
  '+',
  '\u0000',
  '\r\n',
  '\t',
  '<script>alert(1)</script>',
  '"\'`',
  '../..',
  'null',
  'undefined',
  'true',
  '0',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '{}',
  '[]',
  '\u202e\u200b',
  'state',
  'code',
);
const literal = fc.oneof(
  { weight: 4, arbitrary: fc.string() },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme' }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary' }) },
  { weight: 4, arbitrary: odd },
);
const issuers = fc.constantFrom(
  ISSUER,
  `${ISSUER}/`,
  ISSUER.toUpperCase(),
  'https://IDP.example',
  'http://idp.example',
  'https://evil.example',
  `${ISSUER}.evil.example`,
  ` ${ISSUER}`,
  `${ISSUER}\u0000`,
  '',
);
const lit = (v: string): Ref => ({ k: 'lit', v });

/** Any value, including real states and codes of the run's logins. */
const anyRef: fc.Arbitrary<Ref> = fc.oneof(
  { weight: 3, arbitrary: txIndex.map((i): Ref => ({ k: 'state', i })) },
  { weight: 3, arbitrary: txIndex.map((i): Ref => ({ k: 'code', i })) },
  { weight: 1, arbitrary: fc.nat().map((j): Ref => ({ k: 'stale', j })) },
  { weight: 2, arbitrary: issuers.map(lit) },
  { weight: 4, arbitrary: literal.map(lit) },
);
/** Values for extra parameters: never an issued code, so a code in an error message can only come from the SDK. */
const junkRef: fc.Arbitrary<Ref> = fc.oneof(
  { weight: 1, arbitrary: fc.nat().map((j): Ref => ({ k: 'stale', j })) },
  { weight: 2, arbitrary: fc.constantFrom('access_denied', 'login_required', 'server_error', 'invalid_request').map(lit) },
  { weight: 5, arbitrary: literal.map(lit) },
);

const CORE = ['state', 'code', 'iss'] as const;
type Core = (typeof CORE)[number];
const core = fc.constantFrom(...CORE);
const extraName = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'error',
      'error_description',
      'error_uri',
      'session_state',
      'response',
      'id_token',
      'token',
      'access_token',
      'code_verifier',
      'nonce',
      'STATE',
      'Code',
      'state[]',
      ' code',
      'code ',
    ),
  },
  { weight: 1, arbitrary: fc.string() },
);

type Op =
  | { op: 'drop'; name: Core }
  | { op: 'set'; name: Core; value: Ref }
  | { op: 'dup'; name: Core; value: Ref | null }
  | { op: 'add'; name: string; value: Ref }
  | { op: 'huge'; name: string; value: string };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: core.map((name): Op => ({ op: 'drop', name })) },
  { weight: 16, arbitrary: fc.record({ op: fc.constant('set' as const), name: core, value: anyRef }) },
  { weight: 8, arbitrary: fc.record({ op: fc.constant('dup' as const), name: core, value: fc.option(anyRef, { nil: null }) }) },
  { weight: 16, arbitrary: fc.record({ op: fc.constant('add' as const), name: extraName, value: junkRef }) },
  // Rare: a 100 KB URL costs milliseconds to parse, in the SDK and in the checks.
  { weight: 1, arbitrary: fc.record({ op: fc.constant('huge' as const), name: fc.oneof(core, extraName), value: huge }) },
);
/** Extras a real provider may add to a good answer (Keycloak's session_state, a description, junk). */
const benignOp: fc.Arbitrary<Op> = fc.record({
  op: fc.constant('add' as const),
  name: fc.constantFrom('session_state', 'error_description', 'error_uri', 'foo', 'utm_source'),
  value: literal.map(lit),
});

interface Spec {
  target: number;
  ops: Op[];
  placement: 'query' | 'fragment' | 'both' | 'scatter';
  scatter: boolean[];
  raw: boolean;
  order: 'as-is' | 'reversed' | 'sorted';
  base: string;
  addressBar: boolean;
}

const bases = fc.constantFrom(REDIRECT_URI, `${REDIRECT_URI}?tab=1`, `${APP_ORIGIN}/`, `${APP_ORIGIN}/other/path`, '/callback', '');
const genuineSpec: fc.Arbitrary<Spec> = fc.record({
  target: txIndex,
  ops: fc.array(benignOp, { maxLength: 2 }),
  placement: fc.constant('query' as const),
  scatter: fc.constant([]),
  raw: fc.constant(false),
  order: fc.constantFrom('as-is' as const, 'reversed' as const, 'sorted' as const),
  base: bases,
  addressBar: fc.boolean(),
});
const mutatedSpec: fc.Arbitrary<Spec> = fc.record({
  target: txIndex,
  ops: fc.array(op, { minLength: 1, maxLength: 5 }),
  placement: fc.constantFrom('query' as const, 'query' as const, 'query' as const, 'fragment' as const, 'both' as const, 'scatter' as const),
  scatter: fc.array(fc.boolean(), { maxLength: 8 }),
  raw: fc.boolean(),
  order: fc.constantFrom('as-is' as const, 'reversed' as const, 'sorted' as const),
  base: bases,
  addressBar: fc.boolean(),
});
const spec = fc.oneof({ weight: 1, arbitrary: genuineSpec }, { weight: 6, arbitrary: mutatedSpec });

function build(s: Spec, txs: Pending[]): string {
  const resolve = (r: Ref): string =>
    r.k === 'state' ? txs[r.i]!.state : r.k === 'code' ? txs[r.i]!.code : r.k === 'stale' ? (stale[r.j % stale.length] ?? 'no-stale-yet') : r.v;
  const real = txs[s.target];
  let entries: [string, string][] = [
    ['state', real!.state],
    ['code', real!.code],
    ['iss', ISSUER],
  ];
  for (const o of s.ops) {
    if (o.op === 'drop') entries = entries.filter(([n]) => n !== o.name);
    else if (o.op === 'add') entries.push([o.name, resolve(o.value)]);
    else if (o.op === 'huge') {
      const existing = entries.find(([n]) => n === o.name);
      if (existing) existing[1] = o.value;
      else entries.push([o.name, o.value]);
    }
    else {
      const existing = entries.find(([n]) => n === o.name);
      if (o.op === 'set' && existing) existing[1] = resolve(o.value);
      else entries.push([o.name, o.value ? resolve(o.value) : (existing?.[1] ?? '')]);
    }
  }
  if (s.order === 'reversed') entries.reverse();
  if (s.order === 'sorted') entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const enc = (v: string) => (s.raw ? v : encodeURIComponent(v));
  const pair = ([n, v]: [string, string]) => `${enc(n)}=${enc(v)}`;
  const inQuery = entries.filter((_, i) => s.placement === 'query' || s.placement === 'both' || (s.placement === 'scatter' && s.scatter[i]));
  const inFragment = entries.filter(
    (_, i) => s.placement === 'fragment' || s.placement === 'both' || (s.placement === 'scatter' && !s.scatter[i]),
  );
  const [path, baseQuery = ''] = s.base.split('?');
  const query = [baseQuery, ...inQuery.map(pair)].filter(Boolean).join('&');
  const fragment = inFragment.map(pair).join('&');
  return `${path}${query ? `?${query}` : ''}${fragment ? `#${fragment}` : ''}`;
}

/** Arbitrary URL strings (parseable against the page), some carrying a real pending state. */
const arbitraryUrl = fc
  .record({
    raw: fc.oneof(
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.webUrl({ withQueryParameters: true }).map((u) => u.replace(/^https?:\/\/[^/?#]+/, APP_ORIGIN)),
      fc.string(),
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: 'binary' }),
    ),
    withState: fc.option(txIndex, { nil: null }),
    addressBar: fc.boolean(),
  })
  .filter(({ raw }) => URL.canParse(raw, `${APP_ORIGIN}/`));

// ---- Properties ------------------------------------------------------------------------------------------------

describe('handleRedirectCallback(url) under generated callback URLs', () => {
  it(`signs in only for the genuine callback: ${MUTATED_RUNS.toLocaleString('en')} mutated real callbacks (fast-check)`, async () => {
    const client = w.client();
    await w.signIn(client);
    pool = [];
    const stats = newStats();
    await fc.assert(
      fc.asyncProperty(spec, async (s) => {
        if (s.ops.some((o) => o.op === 'huge')) stats.huge++;
        await check(client, stats, (txs) => build(s, txs), s.addressBar);
      }),
      { numRuns: MUTATED_RUNS },
    );
    await settle();
    expect(unhandled.reasons).toEqual([]);
    // The generator reached every stage: genuine answers, unknown states, bad iss, provider errors, bad codes.
    expect(stats.runs).toBeGreaterThanOrEqual(MUTATED_RUNS);
    expect(stats.genuine).toBeGreaterThan(MUTATED_RUNS * 0.05);
    for (const code of ['state_mismatch', 'invalid_response', 'invalid_grant'])
      expect(stats.codes.get(code), `no run ended in ${code}`).toBeGreaterThan(0);
    const sdkCodes = ['state_mismatch', 'invalid_response', 'invalid_grant', 'network', 'timeout', 'disposed'];
    expect([...stats.codes.keys()].some((c) => !sdkCodes.includes(c)), 'no run ended in a provider error').toBe(true);
    expect(stats.huge, 'no run had a 100 KB parameter').toBeGreaterThan(0);
  }, 120_000);

  it(`rejects arbitrary URLs cleanly: ${ARBITRARY_RUNS.toLocaleString('en')} generated URL strings (fast-check)`, async () => {
    const client = w.client();
    await w.signIn(client);
    pool = [];
    const stats = newStats();
    await fc.assert(
      fc.asyncProperty(arbitraryUrl, async ({ raw, withState, addressBar }) => {
        await check(
          client,
          stats,
          (txs) => {
            if (withState === null) return raw;
            const u = new URL(raw, `${APP_ORIGIN}/`);
            u.searchParams.append('state', txs[withState]!.state);
            return u.href;
          },
          addressBar && new URL(raw, `${APP_ORIGIN}/`).origin === APP_ORIGIN,
        );
      }),
      { numRuns: ARBITRARY_RUNS },
    );
    await settle();
    expect(unhandled.reasons).toEqual([]);
    expect(stats.runs).toBeGreaterThanOrEqual(ARBITRARY_RUNS);
    expect(stats.codes.get('state_mismatch')).toBeGreaterThan(0);
  }, 60_000);

  it('rejects a URL that does not parse with an AuthError', async () => {
    const client = w.client();
    await w.startLogin(client);
    for (const url of ['http://[', '//', 'https://exa mple.com/callback?code=x&state=y', `${APP_ORIGIN.replace('3000', '99999')}/cb?state=x`]) {
      const error = await client.handleRedirectCallback(url).then(
        () => expect.fail(`${url} was accepted`),
        (e: unknown) => e,
      );
      expect(error, url).toBeInstanceOf(AuthError);
      expect(await client.getSession()).toBeNull();
    }
  });

  it("keeps the code of an error callback out of the AuthError's cause chain", async () => {
    const client = w.client();
    const callback = new URL(w.callbackFor(await w.startLogin(client)));
    const code = callback.searchParams.get('code')!;
    callback.searchParams.set('error', 'access_denied');
    const error = await client.handleRedirectCallback(callback.href).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'AuthError', code: 'access_denied' });
    expect(errorMessageText(error)).not.toContain(code);
    expect(dump(error)).not.toContain(code);
  });
});
