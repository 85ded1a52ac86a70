import { request } from 'node:https';
import type { LookupFunction } from 'node:net';
import { testCert } from './certs.js';

/**
 * Resolve the fake *.test hosts to loopback like Chromium's --host-resolver-rules do,
 * so node-side URLs are exactly the ones the browser sees (issuer, endpoints).
 */
const lookup: LookupFunction = (hostname, options, callback) => {
  const address = hostname.endsWith('.test') || hostname === 'localhost' ? '127.0.0.1' : hostname;
  if (options.all) callback(null, [{ address, family: 4 }]);
  else callback(null, address, 4);
};

/**
 * Minimal fetch() for node-side calls to the test servers. Node 20's global fetch cannot
 * take a custom CA or resolver without the undici package, and NODE_TLS_REJECT_UNAUTHORIZED=0
 * would also hide real TLS mistakes, so this speaks node:https with our cert as the only CA.
 */
export async function testFetch(
  url: string | URL,
  init: { method?: string; headers?: Record<string, string>; body?: string | URLSearchParams } = {},
): Promise<Response> {
  const { cert } = await testCert();
  const body = init.body === undefined ? undefined : String(init.body);
  const headers: Record<string, string> = { ...init.headers };
  if (init.body instanceof URLSearchParams) headers['content-type'] ??= 'application/x-www-form-urlencoded';

  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers, ca: cert, lookup, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
        }
        const status = res.statusCode ?? 0;
        const nullBody = status === 204 || status === 304;
        resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status, headers: h }));
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
