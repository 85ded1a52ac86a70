// `npm run demo -- --check`: starts the demo with 8-second tokens and drives headless Chromium through both examples
// the way a person would (buttons, the provider's login form, the provider's logout page in another tab, doing nothing
// until the idle sign-out), reading results from the pages. One line per step; resolves false when any step failed.
// Everything it started is stopped before it returns.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.js';
import type { IssMode } from './identityserver.js';
import { PASSWORD } from './provider.js';
import { type Demo, startDemo, stopOnSignal } from './server.js';

export interface CheckOptions {
  /** 0 (default) picks a free port. */
  appPort?: number;
  idpPort?: number;
  /** Run the demo's provider as CONNECT's IdentityServer (see DemoOptions). */
  identityServer?: IssMode | undefined;
  /** Where the summary lines go; default stdout. */
  print?: (line: string) => void;
}

/** Short tokens, so the automatic renewal comes a few seconds after login (the examples renew at half-life here). */
const TOKEN_TTL_S = 8;
const STEP_TIMEOUT_MS = 15_000;
const USER = 'alice';
/** The ES-module example's idle sign-out, short enough to watch: longer than any pause between the steps before. */
const IDLE = { after: 12, countdown: 4 };

type StepRunner = (name: string, fn: () => Promise<string | undefined>) => Promise<boolean>;

interface Step {
  name: string;
  status: 'PASS' | 'FAIL' | 'SKIP';
  ms: number;
  detail: string;
}

export async function runCheck(o: CheckOptions = {}): Promise<boolean> {
  const print = o.print ?? ((line: string) => console.log(line));
  const started = Date.now();
  const steps: Step[] = [];
  let interrupted = false;
  const report = (s: Step) => {
    // After Ctrl-C the steps in flight fail as the browser closes: not worth reporting.
    if (interrupted) return;
    steps.push(s);
    const time = s.ms < 1000 ? `${s.ms} ms` : `${(s.ms / 1000).toFixed(1)} s`;
    print(`${s.status}  ${s.name.padEnd(44)} ${s.status === 'SKIP' ? '' : time.padStart(7)}  ${s.detail}`.trimEnd());
  };
  /** Runs steps in order, each resolving whether it passed; after a failure the rest of the group is skipped. */
  const group = (): StepRunner => {
    let failed = false;
    return async (name, fn) => {
      if (failed) {
        report({ name, status: 'SKIP', ms: 0, detail: 'an earlier step failed' });
        return false;
      }
      const t = Date.now();
      try {
        const detail = (await fn()) ?? '';
        report({ name, status: 'PASS', ms: Date.now() - t, detail });
        return true;
      } catch (e) {
        failed = true;
        report({ name, status: 'FAIL', ms: Date.now() - t, detail: String((e as Error)?.message ?? e).split('\n')[0]! });
        return false;
      }
    };
  };

  let demo: Demo | undefined;
  let context: BrowserContext | undefined;
  const profile = await mkdtemp(join(tmpdir(), 'connect-pkce-demo-check-'));
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      await context?.close().catch(() => {});
      await demo?.close();
      // Retries: a closing browser may still be writing to its profile.
      await rm(profile, { recursive: true, force: true, maxRetries: 5 });
    })());
  // Ctrl-C during the check still stops the browser and the servers (and removes the profile).
  const release = stopOnSignal(() => {
    interrupted = true;
    print('demo check: interrupted, stopping');
    return stop();
  }, 130);

  try {
    const setup = group();
    await setup('start the demo (provider, API, examples)', async () => {
      demo = await startDemo({
        appPort: o.appPort ?? 0,
        idpPort: o.idpPort ?? 0,
        accessTokenTtl: TOKEN_TTL_S,
        idle: IDLE,
        identityServer: o.identityServer,
      });
      return `${demo.origin}, provider ${demo.issuer}${o.identityServer ? ` (IdentityServer, iss ${o.identityServer})` : ''}`;
    });
    await setup('sample API refuses a request without token', async () => {
      const res = await fetch(demo!.apiUrl);
      expect(res.status === 401, `expected 401, got ${res.status}`);
      return `401, ${res.headers.get('www-authenticate')}`;
    });
    await setup('launch headless Chromium', async () => {
      const executablePath = CHROMIUM_PATH;
      context = await chromium.launchPersistentContext(profile, {
        executablePath,
        headless: true,
        // Signals are ours (stopOnSignal): close the browser in order, then remove its profile.
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
        args: CHROMIUM_ARGS,
      });
      return `${executablePath}, fresh profile`;
    });
    if (!demo || !context) return summary();

    const problems: string[] = [];
    const all = { renewal: true, logout: true, popup: true, monitor: true, idle: true };
    const spa = await exampleFlow(demo, context, 'spa', problems, all, group());
    const basic = { renewal: false, logout: false, popup: false, monitor: false, idle: false };
    const tag = await exampleFlow(demo, context, 'script-tag', problems, basic, group());
    await group()('pages ran under the strict CSP without errors', async () => {
      expect(spa && tag, 'not every step above ran');
      const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : '';
      expect(!problems.length, problems.slice(0, 3).map((p) => p.slice(0, 240)).join(' | ') + more);
      return "script-src 'self', Trusted Types, no violations";
    });
  } finally {
    release();
    await stop();
  }
  return summary();

  function summary() {
    const passed = steps.filter((s) => s.status === 'PASS').length;
    const ok = passed === steps.length;
    print(`demo check: ${ok ? 'PASS' : 'FAIL'}, ${passed} of ${steps.length} steps passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return ok;
  }
}

function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/**
 * One example, as a user: log in through the provider's form, (optionally) wait for an automatic renewal, call the
 * API, (optionally) log out. Resolves whether every step ran. Console errors and CSP reports go to `problems`.
 */
async function exampleFlow(
  demo: Demo,
  context: BrowserContext,
  name: string,
  problems: string[],
  o: { renewal: boolean; logout: boolean; popup: boolean; monitor: boolean; idle: boolean },
  step: StepRunner,
): Promise<boolean> {
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  page.on('console', (m) => {
    const where = m.location().url;
    // The provider's pages have no favicon; the browser's automatic request for it is no fault of the example.
    if (where.endsWith('/favicon.ico')) return;
    if (m.type() === 'error' || /Content Security Policy|Trusted Type/i.test(m.text())) problems.push(`${name}: ${m.text()} ${where}`);
  });
  page.on('pageerror', (e) => problems.push(`${name}: ${e.message}`));
  const url = `${demo.origin}/examples/${name}/`;
  /** "Log in in a popup" and the provider's form in the popup, until the page is signed in. */
  const loginInPopup = async () => {
    const [popup] = await Promise.all([page.context().waitForEvent('page'), page.click('#login-popup')]);
    await popup.waitForURL((u) => u.origin === demo.providerOrigin);
    await popup.fill('input[name="login"]', USER);
    await popup.fill('input[name="password"]', PASSWORD);
    await Promise.all([popup.waitForEvent('close'), popup.click('button[type="submit"]')]);
    await page.locator('body[data-state="signed-in"]').waitFor({ state: 'attached' });
  };
  const tokenEvents = page.locator('#events [data-event="token"]');
  // Every step is called (a skipped one still reports), so `ok` is collected after each.
  let ok = await step(`${name}: log in through the provider`, async () => {
    await page.goto(url);
    await page.locator('body[data-state="signed-out"]').waitFor({ state: 'attached' });
    await Promise.all([page.waitForURL((u) => u.origin === demo.providerOrigin), page.click('#login')]);
    // The form must show: the provider session of an earlier example must have ended with its logout.
    await page.fill('input[name="login"]', USER);
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([page.waitForURL((u) => u.href.startsWith(url)), page.click('button[type="submit"]')]);
    await page.locator('body[data-state="signed-in"][data-ready="1"]').waitFor({ state: 'attached' });
    expect(new URL(page.url()).search === '', `the callback parameters stayed in the address bar: ${page.url()}`);
    expect((await tokenEvents.count()) === 1, 'expected one token event after login');
    return `${await page.textContent('#user')}; ${await page.textContent('#expiry')}`.replace(/\s+/g, ' ');
  });

  if (o.renewal)
    ok =
      (await step(`${name}: automatic silent renewal`, async () => {
        // The list is newest first, and each token line shows the token's last characters.
        const suffix = (text: string | null) => /…(\S+),/.exec(text ?? '')?.[1];
        const first = suffix(await tokenEvents.first().textContent());
        await tokenEvents.nth(1).waitFor({ state: 'attached' });
        const renewed = suffix(await tokenEvents.first().textContent());
        expect(first && renewed && renewed !== first, 'the renewal did not announce a new token');
        // The token's own events (the list also shows what the SDK learnt about silent renewal here).
        const types = await page
          .locator('#events [data-event]')
          .evaluateAll((items) =>
            items
              .map((i) => (i as HTMLElement).dataset.event)
              .filter((t) => t === 'token' || t === 'expiring' || t === 'expired' || t === 'renewError')
              .reverse(),
          );
        expect(types.join(' ') === 'token expiring token', `unexpected events: ${types.join(', ')}`);
        return 'events: token, expiring, token (new access token)';
      })) && ok;

  ok =
    (await step(`${name}: API call through auth.fetch`, async () => {
      await page.click('#call-api');
      const api = page.locator('#api[data-status]');
      await api.waitFor({ state: 'attached' });
      expect((await api.getAttribute('data-status')) === '200', `${await api.textContent()}`);
      const namespaces = await page.locator('#namespaces li').allTextContents();
      expect(namespaces.length > 0, 'no namespaces listed');
      return `200, namespaces ${namespaces.map((n) => n.split(':')[0]).join(', ')}`;
    })) && ok;

  if (o.logout)
    ok =
      (await step(`${name}: log out`, async () => {
        // logout() posts to the provider's end_session endpoint, which sends the browser back here.
        await Promise.all([page.waitForURL((u) => u.origin === demo.providerOrigin, { waitUntil: 'commit' }), page.click('#logout')]);
        await page.waitForURL((u) => u.href.startsWith(url));
        await page.locator('body[data-state="signed-out"][data-ready="1"]').waitFor({ state: 'attached' });
        // The next example's login proves the provider session ended: its login form must show again.
        return 'signed out, back on the page';
      })) && ok;

  if (o.popup)
    ok =
      (await step(`${name}: log in in a popup, the page kept`, async () => {
        // A reload or navigation of the page would drop this mark.
        await page.evaluate(() => {
          document.body.dataset.kept = 'yes';
        });
        await loginInPopup();
        expect((await page.getAttribute('body', 'data-kept')) === 'yes', 'the page was reloaded');
        // The monitor's step ends this session at the provider; without it, log out so that the next example's
        // login shows the provider's form.
        if (o.monitor) return 'signed in through the popup, no reload';
        await Promise.all([page.waitForURL((u) => u.origin === demo.providerOrigin, { waitUntil: 'commit' }), page.click('#logout')]);
        await page.waitForURL((u) => u.href.startsWith(url));
        await page.locator('body[data-state="signed-out"][data-ready="1"]').waitFor({ state: 'attached' });
        return 'signed in through the popup, no reload; signed out again';
      })) && ok;

  if (o.monitor)
    ok =
      (await step(`${name}: a logout at the provider is noticed`, async () => {
        // One tab asks the provider's check_session_iframe once the hidden iframe is known to work here.
        await page.locator('body[data-monitor="checking"]').waitFor({ state: 'attached' });
        // The provider's own logout page in another tab, as a user signing out of the CONNECT portal.
        const [other] = await Promise.all([context.waitForEvent('page'), page.click('#provider-logout')]);
        await other.getByText('Signed out').waitFor();
        const t = Date.now();
        await other.close();
        await page.locator('body[data-state="signed-out"]').waitFor({ state: 'attached' });
        const noticed = Date.now() - t;
        expect((await page.locator('#events [data-event="sessionEnd"]').count()) === 1, 'no sessionEnd event');
        expect((await page.getAttribute('body', 'data-kept')) === 'yes', 'the page was reloaded');
        return `session cleared ${(noticed / 1000).toFixed(1)} s after the provider's logout, page kept`;
      })) && ok;

  if (o.idle)
    ok =
      (await step(`${name}: idle sign-out after ${IDLE.after} s`, async () => {
        await loginInPopup();
        const t = Date.now();
        // Nothing touches the page from here: the countdown shows, then logout() goes to the provider and back.
        const wait = { timeout: (IDLE.after + 10) * 1000 };
        await page.locator('#idle-warning:not([hidden])').waitFor(wait);
        const warned = Date.now() - t;
        await page.waitForURL((u) => u.origin === demo.providerOrigin, { ...wait, waitUntil: 'commit' });
        await page.waitForURL((u) => u.href.startsWith(url));
        await page.locator('body[data-state="signed-out"][data-ready="1"]').waitFor({ state: 'attached' });
        return `countdown after ${(warned / 1000).toFixed(1)} s, signed out after ${((Date.now() - t) / 1000).toFixed(1)} s (provider session ended)`;
      })) && ok;

  await page.close();
  return ok;
}
