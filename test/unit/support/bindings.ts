// What the binding tests (react.test.ts, vue.test.ts) share.
import type { AuthClient } from '../../../src/index.js';
import { setAddress } from './browser.js';
import type { World } from './world.js';

/** A login started by one page, and a new page (a new client) loaded on its callback URL. */
export async function callbackPage(w: World, returnTo = '/orders?id=7'): Promise<AuthClient> {
  const url = await w.startLogin(w.client(), { returnTo });
  setAddress(w.callbackFor(url));
  return w.client({ automaticSilentRenew: false });
}

/** The `returnTo` of the pending logins, as login() stored them. */
export function pendingReturnTos(): (string | undefined)[] {
  const key = Object.keys(sessionStorage).find((k) => k.endsWith(':tx'));
  const txs: { returnTo?: string }[] = Object.values(JSON.parse((key && sessionStorage.getItem(key)) || '{}'));
  return txs.map((t) => t.returnTo);
}
