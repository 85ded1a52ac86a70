// Item 2f: the silent renews of item 2b in Debian's Firefox ESR, launched by the e2e suite's own driver
// (test/e2e/support/engines/firefox.ts: puppeteer-core over WebDriver BiDi, app.test and idp.test mapped to loopback).
// BiDi gives no request log, so the timing is the page's own: bench/pages/plain-*.html renew in rounds that alternate
// ABBA between the libraries, time each renew with performance.now() and report through the request path. The
// driver only logs in through the provider's form and loads the first page; the pages do the rest by themselves.
import type { EngineDriver } from '../test/e2e/support/engines/driver.js';
import { launchEngine } from '../test/e2e/support/engines/launch.js';
import { PASSWORD } from '../test/e2e/support/provider.js';
import { type PlainOptions, type PlainRow, runPlainRounds } from './no-devtools.js';
import { type BenchServers, type Lib, PAGES } from './setup.js';

export interface FirefoxResults {
  rows: Record<Lib, PlainRow[]>;
  /** e.g. `Firefox 153.8.0esr`. */
  version: string;
}

/** One login through the provider's form, from connect-pkce's page: the provider session both libraries renew on. */
async function login(s: BenchServers, d: EngineDriver): Promise<void> {
  await d.goto(s.origin + PAGES.ours);
  await d.waitFor(() => document.body.dataset.ready === '1', []);
  // Not awaited in the page: login() ends in a navigation that would tear down the evaluation.
  await d.evaluate(() => {
    void window.bench.login();
  });
  await d.waitForUrl((u) => u.hostname === 'idp.test');
  // Firefox's default Total Cookie Protection partitions idp.test's cookies under app.test; this top-level round
  // trip with a click at idp.test is what grants the renewal iframe storage access (see test/e2e/engines.e2e.ts).
  await d.submitLogin('alice', PASSWORD);
  await d.waitFor(() => document.body.dataset.ready === '1', []);
  const error = await d.evaluate(() => window.bench.error ?? null);
  if (error) throw new Error(`Firefox login failed: ${error}`);
}

/** Runs the plain-page rounds in a fresh Firefox ESR with Firefox's default cookie settings. */
export async function runFirefox(s: BenchServers, o: PlainOptions): Promise<FirefoxResults> {
  const d = await launchEngine('firefox');
  try {
    await login(s, d);
    const rows = await runPlainRounds(s, o, async (url) => {
      await d.goto(url);
      // The browser closes in the finally below.
      return async () => {};
    });
    return { rows, version: d.version };
  } finally {
    await d.close();
  }
}
