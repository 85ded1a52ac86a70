import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuthError } from '../../src/errors.js';
import { completeSilentRenew } from '../../src/index.js';
import { runSilentFrame, SILENT_FRAME_NAME, SILENT_MESSAGE } from '../../src/silent-frame.js';
import { POPUP_NAME, POPUP_STATE } from '../../src/sdk-window.js';
import {
  blockFrameNavigation,
  postFrom,
  resetBrowser,
  silentFrame,
  silentFrameAfterTask,
  waitForSilentFrame,
} from './support/browser.js';
import { APP_ORIGIN, ISSUER } from './support/fake-provider.js';

const SILENT_URI = `${APP_ORIGIN}/silent-renew.html`;
const STATE = 'state-123';
const AUTHORIZE = `${ISSUER}/authorize?prompt=none&state=${STATE}&redirect_uri=${encodeURIComponent(SILENT_URI)}`;
/** The config parts a silent run reads: where it lands, how long it may take, the app's iframe attributes. */
const cfg = (silentTimeout = 10_000, frame: Record<string, string> = {}) => ({ silentRedirectUri: SILENT_URI, silentTimeout, frame });
const answer = (query: string) => ({ type: SILENT_MESSAGE, url: `${SILENT_URI}?${query}` });

/** Starts a silent run and tracks whether it settled. */
function start(o: { timeoutMs?: number; signal?: AbortSignal } = {}) {
  const run = {
    settled: false,
    promise: runSilentFrame(AUTHORIZE, STATE, cfg(o.timeoutMs), o.signal),
  };
  run.promise.then(
    () => (run.settled = true),
    () => (run.settled = true),
  );
  return run;
}

/** Lets pending promise callbacks run. */
const flush = () => new Promise((r) => setTimeout(r, 0));

let restoreFrames: () => void;
beforeEach(() => {
  resetBrowser();
  restoreFrames = blockFrameNavigation();
});
afterEach(() => {
  restoreFrames();
  vi.useRealTimers();
  vi.unstubAllGlobals();
  resetBrowser();
});

describe('runSilentFrame', () => {
  it('loads the authorization URL in a hidden, named iframe', async () => {
    const run = start();
    const frame = await waitForSilentFrame();
    expect(frame.name).toBe(SILENT_FRAME_NAME);
    expect(frame.src).toBe(AUTHORIZE);
    expect(frame.getAttribute('aria-hidden')).toBe('true');
    expect(frame.tabIndex).toBe(-1);
    expect(frame.style.visibility).toBe('hidden');
    postFrom(frame.contentWindow, APP_ORIGIN, answer(`code=c&state=${STATE}`));
    await run.promise;
  });

  it("adds the app's iframeAttributes (Chrome's local-network-access permission), and keeps its own over them", async () => {
    const run = runSilentFrame(AUTHORIZE, STATE, cfg(10_000, { allow: 'local-network-access *', name: 'other', src: 'https://evil.example/' }));
    const frame = await waitForSilentFrame();
    expect(frame.getAttribute('allow')).toBe('local-network-access *');
    expect(frame.name).toBe(SILENT_FRAME_NAME);
    expect(frame.src).toBe(AUTHORIZE);
    postFrom(frame.contentWindow, APP_ORIGIN, answer(`code=c&state=${STATE}`));
    await run;
  });

  it("resolves with the callback parameters posted by its own window, from the silent page's origin, with the state", async () => {
    const run = start();
    const frame = await waitForSilentFrame();
    postFrom(frame.contentWindow, APP_ORIGIN, answer(`code=the-code&state=${STATE}&iss=${encodeURIComponent(ISSUER)}`));
    const params = await run.promise;
    expect(params.get('code')).toBe('the-code');
    expect(params.get('iss')).toBe(ISSUER);
    expect(await silentFrameAfterTask()).toBeNull();
    expect(frame.isConnected).toBe(false);
  });

  it('hands the answer over before removing the iframe, and removes it in the next task', async () => {
    const order: string[] = [];
    const run = runSilentFrame(AUTHORIZE, STATE, cfg(), undefined, (params) => {
      order.push(`use: frame ${silentFrame() ? 'present' : 'gone'}`);
      return params.get('code');
    });
    const frame = await waitForSilentFrame();
    postFrom(frame.contentWindow, APP_ORIGIN, answer(`code=c&state=${STATE}`));
    expect(await run).toBe('c');
    order.push(`resolved: frame ${frame.isConnected ? 'present' : 'gone'}`);
    await silentFrameAfterTask();
    order.push(`next task: frame ${frame.isConnected ? 'present' : 'gone'}`);
    expect(order).toEqual(['use: frame present', 'resolved: frame present', 'next task: frame gone']);
  });

  it('removes the iframe at once when the code exchange fails', async () => {
    const run = runSilentFrame(AUTHORIZE, STATE, cfg(), undefined, () => {
      throw new AuthError('invalid_grant');
    });
    const frame = await waitForSilentFrame();
    postFrom(frame.contentWindow, APP_ORIGIN, answer(`code=c&state=${STATE}`));
    await expect(run).rejects.toMatchObject({ code: 'invalid_grant' });
    expect(frame.isConnected).toBe(false);
  });

  it('ignores messages from other origins, other windows, other states and other senders', async () => {
    const run = start();
    const frame = await waitForSilentFrame();
    const other = document.createElement('iframe');
    document.body.appendChild(other);

    postFrom(frame.contentWindow, 'https://evil.example', answer(`code=evil&state=${STATE}`));
    postFrom(window, APP_ORIGIN, answer(`code=evil&state=${STATE}`));
    postFrom(other.contentWindow, APP_ORIGIN, answer(`code=evil&state=${STATE}`));
    postFrom(null, APP_ORIGIN, answer(`code=evil&state=${STATE}`));
    postFrom(frame.contentWindow, APP_ORIGIN, answer('code=evil&state=another-state'));
    postFrom(frame.contentWindow, APP_ORIGIN, answer('code=evil'));
    postFrom(frame.contentWindow, APP_ORIGIN, { type: 'something-else', url: `${SILENT_URI}?code=evil&state=${STATE}` });
    postFrom(frame.contentWindow, APP_ORIGIN, { type: SILENT_MESSAGE, url: `https://evil.example/cb?code=evil&state=${STATE}` });
    postFrom(frame.contentWindow, APP_ORIGIN, { type: SILENT_MESSAGE, url: 'not a url' });
    postFrom(frame.contentWindow, APP_ORIGIN, { type: SILENT_MESSAGE, url: 42 });
    postFrom(frame.contentWindow, APP_ORIGIN, 'a string');
    await flush();
    expect(run.settled).toBe(false);
    expect(frame.isConnected).toBe(true);

    postFrom(frame.contentWindow, APP_ORIGIN, answer(`code=good&state=${STATE}`));
    expect((await run.promise).get('code')).toBe('good');
  });

  it('reads the answer from the iframe itself once it is back on our origin (a provider error, a broken silent page)', async () => {
    const run = start();
    const frame = silentFrame()!;
    await new Promise((loaded) => frame.addEventListener('load', loaded, { once: true }));
    // Loaded, but still on the provider: its location cannot be read, and that is no answer.
    await flush();
    expect(run.settled).toBe(false);
    // The provider redirects the frame back to the silent page, which posts nothing.
    frame.src = `${SILENT_URI}?error=login_required&state=${STATE}`;
    const params = await run.promise;
    expect(params.get('error')).toBe('login_required');
    expect(await silentFrameAfterTask()).toBeNull();
  });

  it('ignores a page of our origin that is not the answer to this request', async () => {
    const run = start({ timeoutMs: 50 });
    const frame = await waitForSilentFrame();
    frame.src = `${SILENT_URI}?error=login_required&state=other`;
    await expect(run.promise).rejects.toMatchObject({ code: 'timeout' });
  });

  it('rejects with timeout when no answer comes, and removes the iframe and its timer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const run = start({ timeoutMs: 5_000 });
    const frame = silentFrame();
    expect(frame).not.toBeNull();
    await vi.advanceTimersByTimeAsync(4_999);
    expect(run.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const err = await run.promise.catch((e: AuthError) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err).toMatchObject({ code: 'timeout' });
    expect((err as AuthError).message).toContain(SILENT_URI);
    expect(frame?.isConnected).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('says in a timeout what usually causes it with CONNECT, without the request parameters', async () => {
    const run = start({ timeoutMs: 20 });
    const err = await run.promise.catch((e: AuthError) => e);
    expect(err).toMatchObject({ code: 'timeout' });
    const { message } = err as AuthError;
    expect(message).toContain(`no answer from ${SILENT_URI}`);
    expect(message).toMatch(/silent redirect URI is not registered exactly/);
    expect(message).toMatch(/shows an error page that cannot be framed/);
    expect(message).toMatch(/a client change is not applied yet \(CONNECT takes up to an hour\)/);
    expect(message).not.toContain(STATE);
    expect(message).not.toContain('prompt=none');
  });

  it('tells a page of ours that handed nothing back (a router rewrote its URL) from a provider that never sent the frame back', async () => {
    const run = start({ timeoutMs: 100 });
    const frame = await waitForSilentFrame();
    // The provider sent the frame to an app route whose router dropped the response from the URL on start-up.
    frame.src = `${APP_ORIGIN}/home`;
    const { message } = (await run.promise.catch((e: AuthError) => e)) as AuthError;
    expect(message).toContain(`the page at ${SILENT_URI} handed nothing back`);
    expect(message).toMatch(/silent-renew\.html/);
    expect(message).not.toMatch(/not registered/);
    expect(message).not.toContain(STATE);
  });

  it('clears its timer once answered', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const run = start({ timeoutMs: 5_000 });
    postFrom(silentFrame()!.contentWindow, APP_ORIGIN, answer(`code=c&state=${STATE}`));
    await run.promise;
    // What is left is the iframe's removal in the next task, not the 5 s timeout.
    expect(await silentFrameAfterTask()).toBeNull();
    expect(vi.getTimerCount()).toBe(0);
  });

  it.each(['answer', 'timeout', 'abort'] as const)('releases its message listener after an %s', async (outcome) => {
    const added = vi.spyOn(window, 'addEventListener');
    const removed = vi.spyOn(window, 'removeEventListener');
    const ctl = new AbortController();
    const run = start({ timeoutMs: 20, signal: ctl.signal });
    const listener = added.mock.calls.find(([type]) => type === 'message')?.[1];
    expect(listener).toBeTypeOf('function');
    if (outcome === 'answer') postFrom(silentFrame()!.contentWindow, APP_ORIGIN, answer(`code=c&state=${STATE}`));
    if (outcome === 'abort') ctl.abort();
    await run.promise.catch(() => {});
    expect(removed).toHaveBeenCalledWith('message', listener);
    expect(await silentFrameAfterTask()).toBeNull();
  });

  it('rejects with disposed on abort, and removes the iframe', async () => {
    const ctl = new AbortController();
    const run = start({ signal: ctl.signal });
    const frame = await waitForSilentFrame();
    ctl.abort();
    await expect(run.promise).rejects.toMatchObject({ name: 'AuthError', code: 'disposed' });
    expect(frame.isConnected).toBe(false);
  });

  it('rejects at once with disposed, without any iframe, when already aborted', async () => {
    const ctl = new AbortController();
    ctl.abort();
    const appended = vi.spyOn(document.body, 'appendChild');
    await expect(start({ signal: ctl.signal }).promise).rejects.toMatchObject({ code: 'disposed' });
    expect(appended).not.toHaveBeenCalled();
    expect(silentFrame()).toBeNull();
  });
});

describe('completeSilentRenew', () => {
  afterEach(() => {
    window.name = '';
  });

  it('in the SDK\'s popup (its state marks it, even with the window name cleared by COOP), posts the URL on the same-origin channel and closes the window', async () => {
    const url = `${SILENT_URI}?code=c&state=${POPUP_STATE}${STATE}`;
    history.replaceState(null, '', url);
    const heard = new Promise((resolve) => {
      const channel = new BroadcastChannel(SILENT_MESSAGE);
      channel.onmessage = (e) => {
        resolve(e.data);
        channel.close();
      };
    });
    const close = vi.spyOn(window, 'close').mockImplementation(() => {});
    expect(completeSilentRenew()).toBe(true);
    expect(await heard).toEqual({ type: SILENT_MESSAGE, url });
    await vi.waitFor(() => expect(close).toHaveBeenCalled());
  });

  it("in the SDK's hidden iframe, posts this page's URL to the parent, addressed to this origin only", () => {
    history.replaceState(null, '', `${SILENT_URI}?code=c&state=${STATE}`);
    window.name = SILENT_FRAME_NAME;
    const postMessage = vi.fn();
    vi.stubGlobal('parent', { postMessage });
    expect(completeSilentRenew()).toBe(true);
    expect(postMessage).toHaveBeenCalledWith({ type: SILENT_MESSAGE, url: `${SILENT_URI}?code=c&state=${STATE}` }, APP_ORIGIN);
  });

  it("gates an app's own start-up: on a top-level callback of the app's login, or any other page, it does nothing and says false", () => {
    const close = vi.spyOn(window, 'close').mockImplementation(() => {});
    close.mockClear();
    const posted = vi.spyOn(BroadcastChannel.prototype, 'postMessage');
    for (const page of [`${SILENT_URI}?code=c&state=${STATE}`, `${SILENT_URI}`, `${APP_ORIGIN}/orders?id=3`]) {
      history.replaceState(null, '', page);
      expect(completeSilentRenew()).toBe(false);
    }
    expect(posted).not.toHaveBeenCalled();
    expect(close).not.toHaveBeenCalled();
  });

  it('in the SDK\'s iframe or popup on a page that holds no response (the app navigated on), does nothing', () => {
    history.replaceState(null, '', `${SILENT_URI}`);
    const postMessage = vi.fn();
    vi.stubGlobal('parent', { postMessage });
    for (const name of [SILENT_FRAME_NAME, POPUP_NAME]) {
      window.name = name;
      expect(completeSilentRenew()).toBe(false);
    }
    expect(postMessage).not.toHaveBeenCalled();
  });
});
