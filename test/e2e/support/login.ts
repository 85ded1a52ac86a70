import type { Page } from 'playwright-core';
import { PASSWORD } from './provider.js';

export interface LoginOptions {
  password?: string;
  /** Host name the provider redirects back to; default `app.test`. */
  appHost?: string;
}

/**
 * Complete the provider's login page (the only interaction: consent is auto-granted) and
 * wait until the browser has loaded the app again, i.e. the redirect_uri with code/state/iss.
 */
export async function fillLogin(page: Page, login = 'alice', opts: LoginOptions = {}): Promise<void> {
  const appHost = opts.appHost ?? 'app.test';
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill(opts.password ?? PASSWORD);
  await Promise.all([
    page.waitForURL((url) => url.hostname === appHost),
    page.locator('button[type="submit"]').click(),
  ]);
}
