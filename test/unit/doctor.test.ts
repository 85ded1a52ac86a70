// @vitest-environment node
// `connect-pkce doctor` against the embedded CONNECT-like provider (examples/demo/provider.ts) over plain http on
// loopback, with one correctly registered client and deliberately misconfigured ones (issue 11).
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { mountAt } from '../../examples/demo/identityserver.js';
import { type ConnectLikeProviderOptions, createConnectLikeProvider } from '../../examples/demo/provider.js';
import { main } from '../../src/doctor/cli.js';

const CLIENT = 'doctor-client';
const APP = 'https://app.example';
const REDIRECT = `${APP}/callback`;
const SILENT = `${APP}/silent-renew.html`;

const servers: { close(): void; closeAllConnections(): void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.close();
    s.closeAllConnections();
  }
});

/** What stands in front of the provider, like a gateway or proxy: answers a request itself (true) or lets it through. */
type Gateway = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * Serves a provider on `http://<host>:<port>` and returns its address as `http://127.0.0.1:<port>`. With `host`
 * other than 127.0.0.1 the provider's issuer names another host than the one it is reached at: an issuer mismatch.
 * With `identityServer` it is IdentityServer-shaped and mounted at `/identity`, like CONNECT's. With `gateway`, that
 * sees every request first.
 */
async function provider(o: Partial<ConnectLikeProviderOptions> & { host?: string; gateway?: Gateway } = {}): Promise<string> {
  const base = o.identityServer ? '/identity' : '';
  let handler: RequestListener = (_req, res) => res.writeHead(503).end();
  const server = createServer((req, res) => o.gateway?.(req, res) || handler(req, res));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const p = await createConnectLikeProvider({
    issuer: `http://${o.host ?? '127.0.0.1'}:${port}${base}`,
    clientId: CLIENT,
    redirectUris: [REDIRECT, SILENT],
    basePath: base || undefined,
    ...o,
  });
  handler = base ? mountAt(base, p.callback()) : p.callback();
  return `http://127.0.0.1:${port}${base}`;
}

/** A gateway that drops the CORS headers from the provider's discovery answers, and passes everything else. */
const noCorsOnDiscovery: Gateway = (req, res) => {
  if (req.url?.endsWith('/.well-known/openid-configuration')) {
    const set = res.setHeader.bind(res);
    res.setHeader = (name, value) => (/^access-control-/i.test(name) ? res : set(name, value));
  }
  return false;
};

/** Answers the token endpoint itself with an OAuth error (and CORS for the app), as the provider would for `error`. */
const tokenAnswers =
  (error: string, description?: string): Gateway =>
  (req, res) => {
    if (req.method !== 'POST' || !req.url?.endsWith('/token')) return false;
    const body = JSON.stringify({ error, error_description: description });
    res.writeHead(error === 'invalid_client' ? 401 : 400, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': APP }).end(body);
    return true;
  };

/** The doctor's command line for a client of the provider at `authority`. */
const args = (authority: string, more: string[] = []) => [
  'doctor',
  '--authority',
  authority,
  '--client-id',
  CLIENT,
  '--redirect-uri',
  REDIRECT,
  '--silent-redirect-uri',
  SILENT,
  '--origin',
  APP,
  '--tenant',
  't-123',
  ...more,
];

/** Runs the command as a user would, and returns its exit code and output. */
async function doctor(argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await main(argv, (l) => lines.push(l));
  return { code, out: lines.join('\n') };
}

/** The verdict of each check, by name. */
async function verdicts(authority: string, more: string[] = []) {
  const cli = await doctor(args(authority, more));
  const lines = cli.out.split('\n').filter((l) => /^(ok|WARN|FAIL|skip) /.test(l));
  return { ...cli, by: Object.fromEntries(lines.map((l) => [l.split(/\s+/)[1], l.split(/\s+/)[0]])) };
}

describe('connect-pkce doctor', () => {
  it('passes a correctly registered client, exit code 0', async () => {
    const { code, by, out } = await verdicts(await provider());
    expect(by).toEqual({
      discovery: 'ok',
      issuer: 'ok',
      endpoints: 'ok',
      end_session: 'ok',
      check_session: 'skip',
      pkce: 'ok',
      client: 'ok',
      cors: 'ok',
      redirect_uri: 'ok',
      silent_redirect_uri: 'ok',
      framing: 'ok',
      dpop: 'ok',
      offline_access: 'ok',
    });
    expect(out).toContain(`openid-configuration, allows ${APP} (Access-Control-Allow-Origin: ${APP})`);
    expect(out).toMatch(/DPoP advertised \(ES256.*\): dpop\(\) from connect-pkce\/dpop can bind tokens; check that the APIs/);
    expect(out).toContain('offline_access is accepted for this client: with it in the scope a refresh token should come back');
    expect(out).toContain(`${CLIENT} is a public client: the token endpoint took it without a secret`);
    expect(out).toContain('error=login_required');
    expect(out).toContain('No problem found.');
    expect(code).toBe(0);
  });

  it('says when the provider does not advertise DPoP: the dpop option must stay off', async () => {
    const { code, by, out } = await verdicts(await provider({ dpop: 'off' }));
    expect(by.dpop).toBe('skip');
    expect(out).toContain('leave the dpop option off (with it, logins fail with dpop_not_bound)');
    expect(code).toBe(0);
  });

  it("learns without a login that a client may not get refresh tokens: IdentityServer's invalid_scope for offline_access", async () => {
    // IdentityServer checks offline_access against the client's AllowOfflineAccess before it looks for a session.
    const refusesOffline: Gateway = (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (!url.pathname.endsWith('/auth') || !url.searchParams.get('scope')?.includes('offline_access')) return false;
      const back = new URL(url.searchParams.get('redirect_uri') ?? '');
      back.search = new URLSearchParams({ error: 'invalid_scope', state: url.searchParams.get('state') ?? '' }).toString();
      res.writeHead(302, { Location: back.href }).end();
      return true;
    };
    const authority = await provider({ gateway: refusesOffline });
    const plain = await verdicts(authority);
    expect(plain.by.offline_access).toBe('ok');
    expect(plain.out).toContain(`client ${CLIENT} may not ask for offline_access (invalid_scope): no refresh token; renewals use the hidden iframe`);
    const asking = await verdicts(authority, ['--scope', 'openid offline_access']);
    expect(asking.by.offline_access).toBe('FAIL');
    expect(asking.out).toContain('allow offline access for the client (IdentityServer: AllowOfflineAccess)');
    expect(asking.code).toBe(1);
  });

  it('finds an unregistered silent redirect URI: the error page the hidden iframe would never leave', async () => {
    const { code, by, out } = await verdicts(await provider({ redirectUris: [REDIRECT] }));
    expect(by).toMatchObject({ redirect_uri: 'ok', silent_redirect_uri: 'FAIL', framing: 'FAIL' });
    expect(out).toContain(`${SILENT} is not accepted: a prompt=none request got HTTP 400`);
    expect(out).toContain(`fix: register ${SILENT} exactly as a redirect URI of client ${CLIENT}`);
    expect(out).toContain('up to an hour');
    expect(code).toBe(1);
  });

  it('against an IdentityServer-shaped provider, names the unframeable error page the silent iframe would get', async () => {
    const authority = await provider({ identityServer: { iss: 'success' }, redirectUris: [REDIRECT] });
    const { code, by, out } = await verdicts(authority);
    expect(by).toMatchObject({ discovery: 'ok', issuer: 'ok', cors: 'ok', redirect_uri: 'ok', silent_redirect_uri: 'FAIL' });
    expect(out).toContain(`authorization ${authority}/connect/authorize, token ${authority}/connect/token`);
    expect(out).toContain("cannot be framed (X-Frame-Options: SAMEORIGIN, frame-ancestors 'none')");
    expect(code).toBe(1);
    const fixed = await verdicts(await provider({ identityServer: { iss: 'success' } }));
    expect(fixed.code).toBe(0);
    // IdentityServer publishes OpenID Connect Session Management's check page: what monitorSession polls.
    expect(fixed.by.check_session).toBe('ok');
    expect(fixed.out).toMatch(/\/identity\/connect\/checksession \(monitorSession can notice a logout at the provider\)/);
  });

  it('finds a token endpoint that does not allow the app origin (CORS)', async () => {
    const { code, by, out } = await verdicts(await provider({ corsOrigins: ['https://other.example'] }));
    expect(by).toMatchObject({ cors: 'FAIL', redirect_uri: 'ok', silent_redirect_uri: 'ok' });
    expect(out).toContain(`the token endpoint does not allow ${APP} (Access-Control-Allow-Origin: none)`);
    expect(out).toContain(`fix: add ${APP} to the client's allowed CORS origins`);
    expect(code).toBe(1);
  });

  it('finds an issuer that is not the authority, and gives the option value that fixes it', async () => {
    const authority = await provider({ host: 'localhost' });
    const issuer = authority.replace('127.0.0.1', 'localhost');
    const { code, by, out } = await verdicts(authority);
    expect(by).toMatchObject({ discovery: 'ok', issuer: 'FAIL', cors: 'ok', redirect_uri: 'ok' });
    expect(out).toContain(`the provider's issuer is "${issuer}", not the authority "${authority}/"`);
    expect(out).toContain(`fix: set issuer: "${issuer}" in the client options`);
    expect(code).toBe(1);

    // With that option everything passes; a wrong one fails again.
    expect((await verdicts(authority, ['--issuer', issuer])).code).toBe(0);
    const wrong = await verdicts(authority, ['--issuer', 'https://elsewhere.example']);
    expect(wrong.by.issuer).toBe('FAIL');
    expect(wrong.out).toContain('not the "issuer" option "https://elsewhere.example/"');
  });

  it('finds a discovery document the browser may not read: CORS allows the origin on the token endpoint only (N13)', async () => {
    const { code, by, out } = await verdicts(await provider({ gateway: noCorsOnDiscovery }));
    expect(by).toMatchObject({ discovery: 'FAIL', cors: 'ok', redirect_uri: 'ok' });
    expect(out).toContain(`openid-configuration does not allow ${APP} (Access-Control-Allow-Origin: none): the browser cannot read it`);
    expect(out).toContain(`fix: add ${APP} to the client's allowed CORS origins (AllowedCorsOrigins), and have any gateway`);
    expect(out).not.toContain('No problem found');
    expect(code).toBe(1);
  });

  it('tells a client that requires a secret (invalid_client from the token endpoint only) to be registered as public (N13)', async () => {
    // IdentityServer's answer to the SDK's code exchange for a confidential client: the client exists, so the
    // authorization endpoint sends prompt=none back, but the token endpoint wants its secret.
    const { code, by, out } = await verdicts(await provider({ gateway: tokenAnswers('invalid_client') }));
    expect(by).toMatchObject({ client: 'FAIL', cors: 'ok', redirect_uri: 'ok', silent_redirect_uri: 'ok', framing: 'ok' });
    expect(out).toContain(`client ${CLIENT} exists (prompt=none came back to ${REDIRECT}), but the token endpoint refuses it without a secret`);
    expect(out).toContain(`fix: register ${CLIENT} as a public authorization-code (PKCE) client without a secret`);
    expect(out).not.toContain('check --client-id');
    expect(code).toBe(1);
  });

  it('reports an unknown client once, by its ID, and the checks that depend on it as not checked', async () => {
    const { code, by, out } = await verdicts(await provider(), ['--client-id', 'nobody']);
    expect(by).toMatchObject({ discovery: 'ok', client: 'FAIL', cors: 'skip', redirect_uri: 'skip', silent_redirect_uri: 'skip', framing: 'skip' });
    expect(out).toContain('the provider does not know client nobody: the authorization endpoint answers invalid_client');
    expect(out).toContain('fix: check --client-id');
    expect(out.match(/^FAIL/gm)).toHaveLength(1);
    expect(out).toContain('1 check(s) failed.');
    expect(code).toBe(1);
  });

  it('where the provider does not say why it refuses the client (IdentityServer error page), names both causes', async () => {
    // IdentityServer sends an unknown client to its error page by an errorId, which carries no reason.
    const errorPage: Gateway = (req, res) => {
      if (!req.url?.includes('/connect/authorize?') || !req.url.includes('client_id=nobody')) return false;
      res.writeHead(302, { Location: '/identity/home/error?errorId=CfDJ8' }).end();
      return true;
    };
    const { code, by, out } = await verdicts(await provider({ identityServer: { iss: 'success' }, gateway: errorPage }), ['--client-id', 'nobody']);
    expect(by).toMatchObject({ client: 'FAIL', redirect_uri: 'skip', silent_redirect_uri: 'skip', framing: 'skip' });
    expect(out).toContain('the token endpoint answers invalid_client (an unknown client ID, or a client that requires a secret)');
    expect(out).toContain('most likely no client nobody exists here');
    expect(out).toContain('a public authorization-code (PKCE) client without a secret');
    expect(out.match(/^FAIL/gm)).toHaveLength(1);
    expect(code).toBe(1);
  });

  it('warns when the token endpoint answers the made-up code with another error than invalid_grant, with its description', async () => {
    const { code, by, out } = await verdicts(await provider({ gateway: tokenAnswers('unauthorized_client', 'grant type not allowed') }));
    expect(by).toMatchObject({ client: 'WARN', cors: 'ok', redirect_uri: 'ok' });
    expect(out).toContain('the token endpoint answered a made-up code with unauthorized_client, not invalid_grant');
    expect(out).toContain('fix: grant type not allowed');
    expect(code).toBe(0);
  });

  it('says when discovery cannot be reached, and checks nothing further', async () => {
    const authority = await provider();
    const { code, out } = await doctor(args(`${authority}/nowhere`));
    expect(out).toMatch(/^FAIL discovery .*\/nowhere\/\.well-known\/openid-configuration is no discovery document: HTTP 404/);
    expect(out).toContain('fix: check --region or --authority');
    expect(out).not.toContain('cors');
    expect(code).toBe(1);
  });

  it('ships as the package command (dist/cli.mjs, built by npm run build), with the exit code', async () => {
    const bin = fileURLToPath(new URL('../../dist/cli.mjs', import.meta.url));
    const authority = await provider({ redirectUris: [REDIRECT] });
    const run = promisify(execFile)(process.execPath, [bin, ...args(authority)]);
    await expect(run).rejects.toMatchObject({ code: 1, stdout: expect.stringContaining(`FAIL silent_redirect_uri ${SILENT}`) });
  });

  it.each([
    [['doctor', '--client-id', CLIENT, '--redirect-uri', REDIRECT], /--region or --authority/],
    [['doctor', '--region', 'mars', '--client-id', CLIENT, '--redirect-uri', REDIRECT], /unknown CONNECT region "mars"/],
    [['doctor', '--region', 'uswe', '--redirect-uri', REDIRECT], /--client-id and --redirect-uri are required/],
    [['check', '--region', 'uswe'], /the only command is "doctor"/],
    [['doctor', '--help', '--nope'], /Unknown option '--nope'/],
  ])('refuses bad arguments with the usage and exit code 2: %j', async (argv, message) => {
    const { code, out } = await doctor(argv);
    expect(out).toMatch(message);
    expect(out).toContain('Usage: connect-pkce doctor');
    expect(code).toBe(2);
  });

  it.each([[['--help']], [['-h']], [['doctor', '--help']], [['doctor', '-h']]])('prints the usage for %j, exit code 0', async (argv) => {
    const { code, out } = await doctor(argv);
    expect(out).toMatch(/^Usage: connect-pkce doctor/);
    expect(out).not.toContain('connect-pkce:');
    expect(code).toBe(0);
  });
});
