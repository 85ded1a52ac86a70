// Debian's Firefox ESR over WebDriver BiDi, through puppeteer-core (which never downloads a browser).
import puppeteer from 'puppeteer-core';
import { type EngineOptions, type EnginePrimitives, pagePrimitives } from './driver.js';

export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

export async function launchFirefox(opts: EngineOptions): Promise<EnginePrimitives> {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: true,
    // The test certificate is self-signed.
    acceptInsecureCerts: true,
    extraPrefsFirefox: {
      // app.test and idp.test resolve to loopback, so the renewal iframe is cross-site as in production.
      'network.dns.localDomains': 'app.test,idp.test,other.test',
      // No phoning home from a closed network.
      'app.update.enabled': false,
      'browser.safebrowsing.malware.enabled': false,
      'browser.safebrowsing.phishing.enabled': false,
      // 5 = Total Cookie Protection, Firefox's default; 1 = block all third-party cookies (a user's choice).
      'network.cookie.cookieBehavior': opts.strictCookies ? 1 : 5,
    },
  });
  const [page] = await browser.pages();
  const tab = page ?? (await browser.newPage());
  const version = `Firefox ${(await browser.version()).replace(/^firefox\//i, '')}`;
  return pagePrimitives(tab, version, () => browser.close());
}
