import { launchChromium } from './chromium.js';
import { ENGINES, type EngineDriver, type EngineName, type EngineOptions, makeDriver } from './driver.js';
import { launchFirefox } from './firefox.js';
import { launchWebKit } from './webkit.js';

const LAUNCHERS = { chromium: launchChromium, firefox: launchFirefox, webkit: launchWebKit };

/** Starts one engine with a fresh profile (no cookies, no storage) and one tab. */
export async function launchEngine(engine: EngineName, opts: EngineOptions = {}): Promise<EngineDriver> {
  return makeDriver(engine, await LAUNCHERS[engine](opts));
}

/** The engines to run: all by default, or those named in E2E_ENGINES (comma-separated), to run one alone. */
export function selectedEngines(env = process.env.E2E_ENGINES): EngineName[] {
  if (!env?.trim()) return [...ENGINES];
  const names = env.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const unknown = names.filter((n) => !ENGINES.includes(n as EngineName));
  if (unknown.length) throw new Error(`E2E_ENGINES: unknown engine(s) ${unknown.join(', ')}; known: ${ENGINES.join(', ')}`);
  return names as EngineName[];
}
