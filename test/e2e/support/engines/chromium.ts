// Chromium through playwright-core, launched exactly as the Chromium-only suites launch it (support/browser.ts).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CHROMIUM_PATH } from '../../../../examples/demo/chromium.js';
import { launchBrowser } from '../browser.js';
import { type EngineOptions, type EnginePrimitives, pagePrimitives } from './driver.js';

let version: Promise<string> | undefined;

export async function launchChromium(opts: EngineOptions): Promise<EnginePrimitives> {
  // Strict = third-party cookies blocked in the profile, as renew.e2e.ts does.
  const browser = await launchBrowser({ thirdPartyCookies: !opts.strictCookies });
  const page = await browser.newPage();
  // A persistent context has no Browser object to ask, and the user agent says only 156.0.0.0: ask the binary.
  version ??= promisify(execFile)(CHROMIUM_PATH, ['--version']).then((r) => r.stdout.trim().replace(/ built on .*/, ''));
  return pagePrimitives(page, await version, () => browser.close());
}
