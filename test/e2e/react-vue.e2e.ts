// Issue 22: the React and Vue examples (examples/vite/), built on the packed package as a customer installs it and
// served by the demo, against the demo's provider in Chromium. Each app: a guarded route signs in and lands back on
// it, with one code exchange (React under StrictMode's double mount: a development build); a silent renewal moves
// the token the page shows, and the app never starts inside the silent iframe; a reload keeps the session without a
// request to the provider; a logout clears every tab. Then each app's root rendered to a string in this Node process,
// where there is no window. Chromium only: the bindings are the same code in every engine.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../examples/demo/chromium.js';
import { PASSWORD } from '../../examples/demo/provider.js';
import { type Demo, startDemo } from '../../examples/demo/server.js';
import { REPO_ROOT } from './support/app-server.js';

/**
 * Short tokens: the examples renew at half-life here (their renewBeforeExpiry, 10 s, is clamped to it), 6 s after each
 * token; the reload test has those 6 s after a renewal for a reload with no renewal in it.
 */
const TOKEN_TTL_S = 12;
const built = (app: string) => join(REPO_ROOT, 'examples', 'vite', app);

let demo: Demo;
let browser: Browser;
let tokenEndpoint: string;

beforeAll(async () => {
  const t = Date.now();
  execFileSync(process.execPath, ['scripts/build-react-vue-examples.mjs'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  console.info(`[react-vue] examples built on the packed package in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  [demo, browser] = await Promise.all([
    startDemo({ appPort: 0, idpPort: 0, accessTokenTtl: TOKEN_TTL_S }),
    chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS }),
  ]);
  tokenEndpoint = (await (await fetch(`${demo.issuer}/.well-known/openid-configuration`)).json()).token_endpoint;
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

/** What one app's pages asked for, in order, every frame included, and what went wrong in them. */
function record(context: BrowserContext) {
  const requests: Request[] = [];
  const problems: string[] = [];
  context.on('request', (r) => void requests.push(r));
  // The app's pages only: the provider's pages are not under test (its login page has no favicon).
  const ours = (p: Page) => p.url().startsWith(demo.origin);
  context.on('page', (p) => {
    p.on('pageerror', (e) => void (ours(p) && problems.push(`${p.url()}: ${e.message}`)));
    p.on('console', (m) => void (ours(p) && m.type() === 'error' && problems.push(`${p.url()}: ${m.text()}`)));
  });
  const provider = (from = 0) => requests.slice(from).filter((r) => r.url().startsWith(demo.providerOrigin));
  return { requests, problems, provider };
}

const silent = (r: Request) => new URL(r.url()).searchParams.get('prompt') === 'none';
const status = (page: Page, s: string) => page.locator(`#status[data-status="${s}"]`).waitFor({ timeout: 20_000 });
const expiresAt = (page: Page) => page.locator('#expires').getAttribute('data-expires-at');

describe.each(['react', 'vue'])('the %s example, built on the packed package', (app) => {
  const base = () => `${demo.origin}/examples/${app}/`;
  let context: BrowserContext;
  let log: ReturnType<typeof record>;
  let page: Page;
  beforeAll(async () => {
    context = await browser.newContext();
    log = record(context);
  });
  afterAll(() => context?.close());

  test('a guarded route signs in through the provider and lands back on it, with one code exchange', async () => {
    page = await context.newPage();
    // The guard (RequireAuth, the router's authGuard) sends a signed-out user to the provider.
    await Promise.all([page.waitForURL((u) => u.origin === demo.providerOrigin), page.goto(`${base()}protected`)]);
    await page.fill('input[name="login"]', 'alice');
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([page.waitForURL((u) => u.origin === demo.origin), page.click('button[type="submit"]')]);
    await status(page, 'signed-in');
    await page.locator('#expires').waitFor();
    expect(page.url()).toBe(`${base()}protected`);
    expect(await page.textContent('#status')).toBe('Signed in as alice');
    // A second exchange of the code would have failed (invalid_grant, or state_mismatch) and shown its error.
    expect(await page.locator('#error').count()).toBe(0);
    // The login's exchange: token requests before the first silent renewal.
    const provider = log.provider();
    const firstSilent = provider.findIndex(silent);
    const login = firstSilent < 0 ? provider : provider.slice(0, firstSilent);
    expect(login.filter((r) => r.url() === tokenEndpoint).map((r) => r.method())).toEqual(['POST']);
    await page.click('#call-api');
    await expect.poll(() => page.textContent('#api')).toMatch(/^200: \d+ namespaces$/);
  });

  test("a silent renewal moves the page's token, and the app does not start inside the silent iframe", async () => {
    const before = await expiresAt(page);
    await expect.poll(() => expiresAt(page), { timeout: 20_000 }).not.toBe(before);
    await status(page, 'signed-in');
    const frames = log.requests.filter((r) => r.frame() !== page.mainFrame() && r.url().startsWith(demo.origin));
    // The hidden iframe came back to the SDK's silent page, and loaded nothing of the app.
    expect(frames.map((r) => new URL(r.url()).pathname)).toContain('/silent-renew.html');
    expect(frames.filter((r) => r.url().startsWith(base()))).toEqual([]);
    expect(log.provider().filter(silent).length).toBeGreaterThanOrEqual(1);
  });

  test('a reload keeps the session without a request to the provider', async () => {
    // Just after a renewal: the next one is seconds away, not part of the reload.
    const before = await expiresAt(page);
    await expect.poll(() => expiresAt(page), { timeout: 20_000 }).not.toBe(before);
    const from = log.requests.length;
    await page.reload();
    await status(page, 'signed-in');
    await page.locator('#expires').waitFor();
    expect(log.provider(from).map((r) => r.url())).toEqual([]);
  });

  test('a logout in one tab clears every tab', async () => {
    const other = await context.newPage();
    await other.goto(base());
    await status(other, 'signed-in');
    await Promise.all([page.waitForURL(base()), page.click('#logout')]);
    await status(page, 'signed-out');
    await status(other, 'signed-out');
    expect(await other.evaluate(() => JSON.stringify({ ...sessionStorage }))).not.toMatch(/accessToken/);
    expect(log.problems).toEqual([]);
  });
});

describe('server-side rendering of the examples (no DOM here)', () => {
  test("React: renderToString of the example's root (react-dom/server) completes in the loading state", async () => {
    expect(typeof window).toBe('undefined');
    const { render } = await import(join(built('react'), 'ssr', 'ssr.js'));
    const html: string = render('/examples/react/protected');
    expect(html).toContain('data-status="loading"');
    expect(html).toContain('Checking your session');
  });

  test("Vue: renderToString of the example's root (vue/server-renderer) completes in the loading state", async () => {
    expect(typeof window).toBe('undefined');
    const { render } = await import(join(built('vue'), 'ssr', 'ssr.js'));
    const html: string = await render('/protected');
    expect(html).toContain('data-status="loading"');
    expect(html).toContain('Checking your session');
  });

  test('the React example is a development build: StrictMode mounts twice there, as the exchange test needs', () => {
    const assets = join(built('react'), 'dist', 'assets');
    const code = readdirSync(assets)
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(assets, f), 'utf8'))
      .join('');
    expect(code).toContain('while rendering a different component');
  });
});
