import { type MockInstance, vi } from 'vitest';
import { APP_ORIGIN } from './fake-provider.js';
import { settle } from './faults.js';

interface HappyDomWindow {
  happyDOM: { setURL(url: string): void; settings: { navigation: { disableChildFrameNavigation: boolean } } };
}

const happyDOM = () => (window as unknown as HappyDomWindow).happyDOM;

/** A clean page: empty Web Storage, the app's home URL, an empty body, no window name. */
export function resetBrowser(): void {
  sessionStorage.clear();
  localStorage.clear();
  happyDOM().setURL(`${APP_ORIGIN}/`);
  document.body.innerHTML = '';
  window.name = '';
}

/** Puts a URL in the address bar (same origin), as a redirect back to the app would. */
export function setAddress(url: string): void {
  history.replaceState(null, '', url);
}

/**
 * Records `location.assign` instead of navigating: the SDK's login and logout redirects land here.
 */
export function captureNavigation(): MockInstance<(url: string | URL) => void> {
  return vi.spyOn(window.location, 'assign').mockImplementation(() => {});
}

/** Records form submissions instead of navigating: the SDK's logout POSTs a form to the provider. */
export function captureFormSubmit(): MockInstance<() => void> {
  return vi.spyOn(HTMLFormElement.prototype, 'submit').mockImplementation(() => {});
}

/** The URL of the last `location.assign` call. */
export function lastNavigation(nav: MockInstance<(url: string | URL) => void>): URL {
  const call = nav.mock.calls.at(-1);
  if (!call) throw new Error('no navigation happened');
  return new URL(String(call[0]));
}

/**
 * happy-dom would really load an iframe's page over the network. With child-frame navigation disabled it only
 * sets the frame's URL and fires `load`, which is what a test of the hidden iframe needs: cross-origin frames
 * still refuse to expose their location, same-origin ones expose it.
 */
export function blockFrameNavigation(): () => void {
  const nav = happyDOM().settings.navigation;
  const before = nav.disableChildFrameNavigation;
  nav.disableChildFrameNavigation = true;
  return () => {
    nav.disableChildFrameNavigation = before;
  };
}

/** The SDK's hidden renewal iframe, if one is in the page. */
export const silentFrame = (): HTMLIFrameElement | null =>
  document.querySelector<HTMLIFrameElement>('iframe[name="connect-pkce-silent"]');

/**
 * Silent iframes a test has answered. After a successful renewal the SDK removes its iframe only in the next task
 * (off the token's critical path), so it may still be in the page when the test looks for the next renewal's.
 */
const answered = new WeakSet<HTMLIFrameElement>();
export const markAnswered = (frame: HTMLIFrameElement): void => void answered.add(frame);

/** Waits until the SDK has put a hidden iframe in the page that no test has answered yet. */
export async function waitForSilentFrame(): Promise<HTMLIFrameElement> {
  return vi.waitFor(() => {
    const frame = [...document.querySelectorAll<HTMLIFrameElement>('iframe[name="connect-pkce-silent"]')].find(
      (f) => !answered.has(f),
    );
    if (!frame) throw new Error('no silent iframe yet');
    return frame;
  });
}

/** The SDK's hidden iframe after the task in which it removes one that succeeded (null: none left). */
export async function silentFrameAfterTask(): Promise<HTMLIFrameElement | null> {
  await (vi.isFakeTimers() ? vi.advanceTimersByTimeAsync(0) : settle());
  return silentFrame();
}

/** Delivers a `message` event to this window, as `postMessage` from `source` on `origin` would. */
export function postFrom(source: Window | null, origin: string, data: unknown): void {
  window.dispatchEvent(new MessageEvent('message', { data, origin, source }));
}
