import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, CROSS_SITE_ARGS } from '../../../examples/demo/chromium.js';

export interface BrowserOptions {
  /** Allow third-party cookies (Chrome's default). false = what Debian Chromium / Safari / Firefox strict do. */
  thirdPartyCookies?: boolean;
}

export interface TestBrowser {
  context: BrowserContext;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export async function launchBrowser(opts: BrowserOptions = {}): Promise<TestBrowser> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'connect-pkce-e2e-'));
  // The third-party-cookie switch lives in the profile, not in a flag: 0 = allow, 1 = block.
  // Debian's Chromium otherwise blocks them in a fresh profile, unlike Google Chrome.
  await mkdir(join(userDataDir, 'Default'));
  const mode = (opts.thirdPartyCookies ?? true) ? 0 : 1;
  await writeFile(join(userDataDir, 'Default', 'Preferences'), JSON.stringify({ profile: { cookie_controls_mode: mode } }));

  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    ignoreHTTPSErrors: true,
    // app.test and idp.test are different sites, so the renew iframe is truly cross-site.
    args: [...CHROMIUM_ARGS, ...CROSS_SITE_ARGS],
  });

  return {
    context,
    newPage: () => context.newPage(),
    close: async () => {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
