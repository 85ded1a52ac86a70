/**
 * How this project starts Debian's Chromium headless (the demo check, the e2e tests, the benchmark): never a
 * downloaded browser. Without the background-networking switches Chromium keeps dialling Google's services, which
 * a closed network refuses.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** For the e2e tests and the benchmark: app.test, idp.test and other.test are different sites on loopback, over TLS. */
export const CROSS_SITE_ARGS = [
  '--ignore-certificate-errors',
  '--host-resolver-rules=MAP app.test 127.0.0.1,MAP idp.test 127.0.0.1,MAP other.test 127.0.0.1',
];
