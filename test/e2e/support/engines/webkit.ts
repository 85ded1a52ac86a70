// WebKitGTK's MiniBrowser driven by Debian's WebKitWebDriver over classic WebDriver (plain HTTP + JSON, so no
// client library), on a private Xvfb display, reaching *.test through a loopback CONNECT proxy.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { startConnectProxy } from '../connect-proxy.js';
import type { EngineOptions, EnginePrimitives } from './driver.js';

export const MINIBROWSER_PATH = process.env.MINIBROWSER_PATH ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
export const WEBKIT_DRIVER_PATH = process.env.WEBKIT_DRIVER_PATH ?? '/usr/bin/WebKitWebDriver';

/** The key under which W3C WebDriver returns an element reference. */
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

/** Starts Xvfb on the first free display; `-displayfd` has the server pick it, so parallel runs never collide. */
async function startXvfb(): Promise<{ display: string; process: ChildProcess }> {
  const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
  });
  const display = await new Promise<string>((resolve, reject) => {
    let out = '';
    (xvfb.stdio[3] as Readable).on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(`:${out.trim()}`);
    });
    xvfb.on('error', reject);
    xvfb.on('exit', (code) => reject(new Error(`Xvfb exited with ${code}`)));
  });
  return { display, process: xvfb };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export async function launchWebKit(opts: EngineOptions): Promise<EnginePrimitives> {
  const [xvfb, proxy, port] = await Promise.all([startXvfb(), startConnectProxy(), freePort()]);
  const driver = spawn(WEBKIT_DRIVER_PATH, [`--port=${port}`], {
    env: { ...process.env, DISPLAY: xvfb.display },
    stdio: 'ignore',
  });
  const base = `http://127.0.0.1:${port}`;

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(base + path, {
      method,
      headers: { 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json()) as { value: { error?: string; message?: string } & Record<string, unknown> };
    if (json.value?.error) throw new Error(`WebDriver ${path}: ${json.value.error}: ${json.value.message}`);
    return json.value as unknown;
  };

  const cleanup = async () => {
    await Promise.all([stop(driver), proxy.close()]);
    await stop(xvfb.process);
  };

  let sessionPath: string;
  let version: string;
  try {
    // The driver needs a moment to listen.
    for (let i = 0; ; i++) {
      try {
        await call('GET', '/status');
        break;
      } catch (e) {
        if (i > 100) throw e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const args = ['--automation', '--ignore-tls-errors', `--proxy=${proxy.url}`];
    // ITP is what Safari and every iOS browser run with; without it, MiniBrowser's default no-third-party policy.
    if (opts.strictCookies) args.push('--enable-itp');
    const session = (await call('POST', '/session', {
      capabilities: {
        alwaysMatch: { acceptInsecureCerts: true, 'webkitgtk:browserOptions': { binary: MINIBROWSER_PATH, args } },
      },
    })) as { sessionId: string; capabilities: { browserVersion?: string } };
    sessionPath = `/session/${session.sessionId}`;
    version = `WebKitGTK ${session.capabilities.browserVersion ?? '?'}`;
    // implicit: element look-ups wait for the login form to appear, as the other engines' locators do.
    await call('POST', `${sessionPath}/timeouts`, { implicit: 10_000, script: 30_000, pageLoad: 30_000 });
  } catch (e) {
    await cleanup();
    throw e;
  }

  const element = async (selector: string) => {
    const ref = (await call('POST', `${sessionPath}/element`, { using: 'css selector', value: selector })) as Record<
      string,
      string
    >;
    return ref[ELEMENT];
  };

  return {
    version,
    goto: async (url) => {
      await call('POST', `${sessionPath}/url`, { url });
    },
    url: async () => (await call('GET', `${sessionPath}/url`)) as string,
    evaluateExpression: async (source) => {
      // Async script: the last argument is the callback; a rejection comes back as data, not a driver timeout.
      const script = `const done = arguments[arguments.length - 1];
        Promise.resolve().then(() => (${source})).then(
          (v) => done({ ok: true, value: v === undefined ? null : v }),
          (e) => done({ ok: false, error: String((e && e.stack) || e) }));`;
      const r = (await call('POST', `${sessionPath}/execute/async`, { script, args: [] })) as {
        ok: boolean;
        value?: unknown;
        error?: string;
      };
      if (!r.ok) throw new Error(`in page: ${r.error}`);
      return r.value;
    },
    fill: async (selector, text) => {
      await call('POST', `${sessionPath}/element/${await element(selector)}/value`, { text });
    },
    click: async (selector) => {
      await call('POST', `${sessionPath}/element/${await element(selector)}/click`, {});
    },
    close: async () => {
      await call('DELETE', sessionPath).catch(() => undefined);
      await cleanup();
    },
  };
}
