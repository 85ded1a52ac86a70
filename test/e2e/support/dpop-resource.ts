// A protected resource that accepts DPoP-bound access tokens only (RFC 9449 §7), for the DPoP e2e tests. It checks
// what a real resource server checks, with WebCrypto and no JOSE library: the proof's signature by the key in its
// header, `typ`, `htm`, `htu`, `iat`, `ath` (the token's hash), a `jti` never seen before (replay), the server nonce
// when `nonce` is on, and that the token (looked up in the provider, as an introspecting server would) is bound to
// that key (`cnf.jkt` = the key's thumbprint, RFC 7638).
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type Provider from 'oidc-provider';
import { testCert } from './certs.js';

export interface ResourceCall {
  status: number;
  /** Why it was refused, or 'ok'. */
  reason: string;
  /** The Authorization and DPoP headers as received (for replay tests). */
  authorization?: string | undefined;
  proof?: string | undefined;
}

export interface DPoPResource {
  /** `https://other.test:<port>`: another site than the app, as an API is. */
  origin: string;
  /** The protected URL. */
  url: string;
  calls: ResourceCall[];
  close(): Promise<void>;
}

const b64u = (b: Buffer | ArrayBuffer) => Buffer.from(b as ArrayBuffer).toString('base64url');
const json = (s: string) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));

/** The JWK SHA-256 thumbprint of an EC public key (RFC 7638 §3.2: the required members in lexicographic order). */
export const thumbprint = (jwk: { crv: string; kty: string; x: string; y: string }) =>
  b64u(createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).digest());

/** Verifies one proof; returns why it fails, or the key's thumbprint. */
async function checkProof(proof: string, method: string, url: string, token: string, nonce: string | undefined) {
  const [h, p, sig] = proof.split('.');
  if (!h || !p || !sig) return { error: 'malformed proof' };
  const header = json(h);
  const payload = json(p);
  if (header.typ !== 'dpop+jwt' || header.alg !== 'ES256' || header.jwk?.kty !== 'EC') return { error: 'bad header' };
  const key = await webcrypto.subtle.importKey('jwk', header.jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
  const ok = await webcrypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, Buffer.from(sig, 'base64url'), Buffer.from(`${h}.${p}`));
  if (!ok) return { error: 'bad signature' };
  if (payload.htm !== method) return { error: 'htm' };
  if (payload.htu !== url) return { error: 'htu' };
  if (Math.abs(Date.now() / 1000 - payload.iat) > 60) return { error: 'iat' };
  if (payload.ath !== b64u(createHash('sha256').update(token).digest())) return { error: 'ath' };
  if (nonce !== undefined && payload.nonce !== nonce) return { error: 'use_dpop_nonce' };
  return { jti: String(payload.jti), jkt: thumbprint(header.jwk) };
}

/** Starts the resource: `GET /data` answers `{ ok, sub }` to a valid DPoP request from `appOrigin`. */
export async function startDPoPResource(provider: Provider, appOrigin: string, o: { nonce?: boolean } = {}): Promise<DPoPResource> {
  const { key, cert } = await testCert();
  const seen = new Set<string>();
  const calls: ResourceCall[] = [];
  let nonce = o.nonce ? b64u(randomBytes(16)) : undefined;
  let url = '';
  const cors = {
    'Access-Control-Allow-Origin': appOrigin,
    'Access-Control-Expose-Headers': 'WWW-Authenticate, DPoP-Nonce',
  };
  const server = createServer({ key, cert }, async (req, res) => {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...cors, 'Access-Control-Allow-Headers': 'Authorization, DPoP', 'Access-Control-Allow-Methods': 'GET, POST' }).end();
      return;
    }
    const authorization = req.headers.authorization;
    const proof = req.headers.dpop as string | undefined;
    const refuse = (reason: string, error = 'invalid_token') => {
      calls.push({ status: 401, reason, authorization, proof });
      const headers: Record<string, string> = { ...cors, 'WWW-Authenticate': `DPoP error="${error}", algs="ES256"` };
      if (error === 'use_dpop_nonce' && nonce) headers['DPoP-Nonce'] = nonce;
      res.writeHead(401, headers).end();
    };
    const [scheme, token] = (authorization ?? '').split(' ');
    if (scheme !== 'DPoP' || !token) return refuse(`scheme ${scheme}`);
    if (!proof) return refuse('no proof', 'invalid_dpop_proof');
    const checked = await checkProof(proof, req.method ?? '', url, token, nonce);
    if ('error' in checked) return refuse(checked.error as string, checked.error === 'use_dpop_nonce' ? 'use_dpop_nonce' : 'invalid_dpop_proof');
    if (seen.has(checked.jti)) return refuse('replayed proof', 'invalid_dpop_proof');
    seen.add(checked.jti);
    const at = await provider.AccessToken.find(token);
    if (!at) return refuse('unknown token');
    if (at.jkt !== checked.jkt) return refuse('token bound to another key');
    calls.push({ status: 200, reason: 'ok', authorization, proof });
    res.writeHead(200, { ...cors, 'Content-Type': 'application/json' }).end(JSON.stringify({ ok: true, sub: at.accountId }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `https://other.test:${port}`;
  url = `${origin}/data`;
  return {
    origin,
    url,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        nonce = undefined;
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
