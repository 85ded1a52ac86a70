// Issue 21, end to end: the Angular example (examples/angular), built with the Angular CLI from the packed SDK as a
// customer builds it, in Chromium, against the demo provider answering like CONNECT's IdentityServer. One user's
// journey through one browser profile, in order: each test starts where the one before left off.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ANGULAR_DIR, ANGULAR_PAGE, type AngularBuild, angularMainScript, buildAngularExample } from '../../examples/demo/angular.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../examples/demo/chromium.js';
import { PASSWORD } from '../../examples/demo/provider.js';
import { type Demo, startDemo } from '../../examples/demo/server.js';

/** Tokens of 12 s, renewed 6 s before expiry: one automatic renewal 6 s after each token. */
const TTL = 12;

let build: AngularBuild;
let demo: Demo;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Every request of the profile, any tab or frame, with its headers, in order. */
const requests: { url: string; authorization: string | undefined; topFrame: boolean }[] = [];

const app = (path = '') => `${demo.origin}${ANGULAR_PAGE}${path}`;
const tokenRequests = () => requests.filter((r) => r.url === `${demo.issuer}/connect/token`).length;
const apiCalls = () => requests.filter((r) => r.url.includes('/api/v1/'));
const otherCalls = () => requests.filter((r) => r.url.startsWith(demo.otherOrigin ?? '-'));
/** The app's start-ups: each loads the build's main script once. */
const startUps = () => requests.filter((r) => r.url.endsWith(`/${angularMainScript()}`));
const text = (p: Page, selector: string) => p.locator(selector).textContent();
const waitForText = (p: Page, selector: string, pattern: RegExp) =>
  p.waitForFunction(([s, re]) => new RegExp(re).test(document.querySelector(s)?.textContent ?? ''), [selector, pattern.source] as const, { polling: 100 });

beforeAll(async () => {
  const started = Date.now();
  build = buildAngularExample();
  console.info(`[angular] pack ${build.packMs} ms, install ${build.installMs} ms, ng build ${build.buildMs} ms (total ${Date.now() - started} ms)`);
  demo = await startDemo({ appPort: 0, idpPort: 0, identityServer: 'success', accessTokenTtl: TTL, angular: true });
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  context = await browser.newContext();
  context.on('request', (r: Request) => {
    const entry = { url: r.url(), authorization: undefined as string | undefined, topFrame: !r.frame().parentFrame() };
    requests.push(entry);
    void r.allHeaders().then((h) => {
      entry.authorization = h.authorization;
    }, () => {});
  });
  page = await context.newPage();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

describe('the Angular example, built from the packed package', () => {
  test('the build rendered the app\'s root on the server (prerendered /) without error', () => {
    expect(build.output).toMatch(/Prerendered 1 static route/);
    const html = readFileSync(join(ANGULAR_DIR, 'dist/example/browser/index.html'), 'utf8');
    // The root component's template, rendered signed out: no client, no window, no hang on the server.
    expect(html).toMatch(/<app-root[^>]*ng-server-context="ssg"[^>]*>.*<p id="status" data-status="signed-out">/s);
  });

  test('opening a guarded route signs in at the provider and lands back on that route', async () => {
    await page.goto(app('reports'));
    await page.waitForURL((u) => u.origin === demo.providerOrigin);
    await page.fill('input[name="login"]', 'alice');
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([page.waitForURL((u) => u.href.startsWith(app())), page.click('button[type="submit"]')]);
    await waitForText(page, '#api', /API call 1: 3 namespaces/);
    expect(page.url()).toBe(app('reports'));
    expect(await page.locator('#status').getAttribute('data-status')).toBe('signed-in');
    // The guard's login, and the app started again on the redirect: twice, both in the tab.
    expect(startUps().map((r) => r.topFrame)).toEqual([true, true]);
    expect(tokenRequests()).toBe(1);
  });

  test('HttpClient calls carry the token to the listed origin and not to another', async () => {
    await waitForText(page, '#other', /call 1: received no token/);
    const [api] = apiCalls().filter((r) => r.authorization);
    expect(api?.authorization).toMatch(/^Bearer \S+$/);
    expect(otherCalls().length).toBeGreaterThan(0);
    expect(otherCalls().every((r) => r.authorization === undefined)).toBe(true);
  });

  test('the app is stable while signed in, with a renewal scheduled; a silent renewal happens and the next call uses the new token', async () => {
    // Angular's zone settles (whenStable() resolves) with the session held and its renewal timer set.
    await page.waitForSelector('#stable[data-stable="true"]');
    const before = apiCalls().at(-1)?.authorization;
    await expect.poll(tokenRequests, { timeout: 30_000, interval: 200 }).toBe(2);
    await page.waitForSelector('#stable[data-stable="true"]');
    await page.click('#reload');
    await waitForText(page, '#api', /API call 2: 3 namespaces/);
    const after = apiCalls().at(-1)?.authorization;
    expect(after).toMatch(/^Bearer \S+$/);
    expect(after).not.toBe(before);
    // The renewal ran in the hidden iframe on the SDK's silent page: the app did not start there.
    expect(startUps().every((r) => r.topFrame)).toBe(true);
    expect(startUps()).toHaveLength(2);
  });

  test('an API 401 leads to one renewal and one retry', async () => {
    const tokens = tokenRequests();
    const calls = apiCalls().length;
    let refused = 0;
    await page.route(demo.apiUrl.replace('//localhost:', '//127.0.0.1:'), async (route) => {
      if (route.request().method() !== 'GET' || refused++ > 0) return route.fallback();
      await route.fulfill({ status: 401, body: '{"error":"invalid_token"}', headers: { 'Access-Control-Allow-Origin': demo.origin, 'Content-Type': 'application/json' } });
    });
    await page.click('#reload');
    await waitForText(page, '#api', /API call 3: 3 namespaces/);
    await page.unrouteAll();
    expect(refused).toBe(2);
    expect(tokenRequests()).toBe(tokens + 1);
    const [first, retry] = apiCalls().slice(calls).filter((r) => r.authorization);
    expect(retry?.authorization).toMatch(/^Bearer \S+$/);
    expect(retry?.authorization).not.toBe(first?.authorization);
  });

  test('a reload keeps the session with no request to the provider', async () => {
    // Right after the 401's renewal: the next one is 6 s away.
    const from = requests.length;
    await page.reload();
    await waitForText(page, '#api', /API call 1: 3 namespaces/);
    expect(await page.locator('#status').getAttribute('data-status')).toBe('signed-in');
    expect(requests.slice(from).filter((r) => r.url.startsWith(demo.providerOrigin))).toEqual([]);
    expect(startUps()).toHaveLength(3);
  });

  test('logout in one tab clears every tab, and takes the other tab off the guarded route', async () => {
    const other = await context.newPage();
    await other.goto(app('reports'));
    await waitForText(other, '#api', /API call 1: 3 namespaces/);
    await Promise.all([page.waitForURL((u) => u.origin === demo.providerOrigin, { waitUntil: 'commit' }), page.click('#logout')]);
    await page.waitForURL((u) => u.href.startsWith(app()));
    await page.waitForSelector('#status[data-status="signed-out"]');
    await other.waitForSelector('#status[data-status="signed-out"]');
    await other.waitForURL(app());
    expect(await text(other, '#status')).toMatch(/Signed out/);
    expect(startUps().every((r) => r.topFrame)).toBe(true);
  });
});
