// The one browser interface the cross-engine suite (engines.e2e.ts) is written against. Each engine supplies only
// the primitives it must do its own way (navigate, run a script, type, click); waiting, the login form and the
// iframe count are built here once on top of them, so all three engines are driven by the very same steps.

export type EngineName = 'chromium' | 'firefox' | 'webkit';

export const ENGINES: readonly EngineName[] = ['chromium', 'firefox', 'webkit'];

export interface EngineOptions {
  /**
   * The engine's stricter cookie setting: Chromium with third-party cookies blocked (Incognito, Brave, users who
   * turn them off), WebKit with Intelligent Tracking Prevention (what Safari and every iOS browser do), Firefox with
   * its "all third-party cookies" block. false (default): each engine as its users mostly have it.
   */
  strictCookies?: boolean;
}

/** What each engine implements natively. One tab per browser: the suite never needs two. */
export interface EnginePrimitives {
  /** Product name and version, e.g. `Firefox 153.8.0esr`, for the test log. */
  readonly version: string;
  /** Navigates the tab and resolves once the new page has loaded. */
  goto(url: string): Promise<void>;
  /** The tab's current URL. */
  url(): Promise<string>;
  /** Evaluates a JavaScript expression in the page, awaiting it if it is a promise; JSON-like result. */
  evaluateExpression(source: string): Promise<unknown>;
  /** Types into the first element matching the CSS selector. */
  fill(selector: string, text: string): Promise<void>;
  /** Clicks the first element matching the CSS selector, as a user would. */
  click(selector: string): Promise<void>;
  close(): Promise<void>;
}

/** The part of a playwright or puppeteer Page the primitives need: both libraries shape it the same way. */
export interface PageLike {
  goto(url: string): Promise<unknown>;
  url(): string;
  evaluate(source: string): Promise<unknown>;
  locator(selector: string): { fill(text: string): Promise<void>; click(): Promise<void> };
}

/** Primitives over a playwright or puppeteer page (a string is evaluated as an expression and awaited). */
export const pagePrimitives = (page: PageLike, version: string, close: () => Promise<void>): EnginePrimitives => ({
  version,
  goto: async (url) => {
    await page.goto(url);
  },
  url: async () => page.url(),
  evaluateExpression: (source) => page.evaluate(source),
  fill: (selector, text) => page.locator(selector).fill(text),
  click: (selector) => page.locator(selector).click(),
  close,
});

export interface EngineDriver extends EnginePrimitives {
  readonly engine: EngineName;
  /**
   * Runs `fn` in the page with JSON arguments. `fn` is sent as source text, so it may only use its arguments and
   * the page's globals, never anything from the test's scope.
   */
  evaluate<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Promise<Awaited<R>>;
  /** Polls `fn` in the page until it returns true. Errors while a navigation swaps the page count as "not yet". */
  waitFor<A extends unknown[]>(fn: (...args: A) => boolean, args: A, timeoutMs?: number): Promise<void>;
  /** Polls the tab's URL until `match` accepts it; returns that URL. */
  waitForUrl(match: (url: URL) => boolean, timeoutMs?: number): Promise<URL>;
  /** Completes the provider's login form and submits it; resolves once the browser is back on `appHost`. */
  submitLogin(user: string, password: string, appHost?: string): Promise<void>;
  /** How many iframes the page's document holds now (the SDK's renewal iframe is the only one our pages make). */
  iframeCount(): Promise<number>;
}

const POLL_MS = 50;

async function poll<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Adds the engine-neutral steps to an engine's primitives. */
export function makeDriver(engine: EngineName, p: EnginePrimitives): EngineDriver {
  const evaluate = <A extends unknown[], R>(fn: (...args: A) => R, ...args: A) =>
    p.evaluateExpression(`(${fn.toString()})(...${JSON.stringify(args)})`) as Promise<Awaited<R>>;

  const driver: EngineDriver = {
    engine,
    version: p.version,
    goto: (url) => p.goto(url),
    url: () => p.url(),
    evaluateExpression: (source) => p.evaluateExpression(source),
    fill: (selector, text) => p.fill(selector, text),
    click: (selector) => p.click(selector),
    close: () => p.close(),
    evaluate,
    waitFor: (fn, args, timeoutMs = 20_000) =>
      poll(`${fn.toString().slice(0, 80)}`, timeoutMs, async () => ((await evaluate(fn, ...args)) ? true : undefined)).then(
        () => undefined,
      ),
    waitForUrl: (match, timeoutMs = 20_000) =>
      poll('a URL', timeoutMs, async () => {
        const url = new URL(await p.url());
        return match(url) ? url : undefined;
      }),
    async submitLogin(user, password, appHost = 'app.test') {
      await p.fill('input[name="login"]', user);
      await p.fill('input[name="password"]', password);
      await p.click('button[type="submit"]');
      await driver.waitForUrl((u) => u.hostname === appHost);
    },
    iframeCount: () => evaluate(() => document.querySelectorAll('iframe').length),
  };
  return driver;
}
