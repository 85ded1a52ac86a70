import { generate } from 'selfsigned';

/** PEM key + certificate shared by the app server and the provider. */
export interface TestCert {
  key: string;
  cert: string;
}

/** Every host name the browser (via --host-resolver-rules) and node clients use. */
export const CERT_HOSTS = ['app.test', 'idp.test', 'other.test', 'localhost'] as const;

let cached: Promise<TestCert> | undefined;

/**
 * Self-signed certificate made at test time (nothing checked in, never expires in CI).
 * Generated once per process: RSA keygen takes ~100 ms and every server reuses it.
 * Chromium ignores it via --ignore-certificate-errors; node clients trust it via `ca`.
 */
export function testCert(): Promise<TestCert> {
  cached ??= generate([{ name: 'commonName', value: 'connect-pkce e2e' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      // cA so node's TLS accepts this self-signed cert as its own trust anchor.
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...CERT_HOSTS.map((value) => ({ type: 2 as const, value })),
          { type: 7 as const, ip: '127.0.0.1' },
        ],
      },
    ],
  }).then((pems) => ({ key: pems.private, cert: pems.cert }));
  return cached;
}
