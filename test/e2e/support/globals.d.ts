// What test/e2e/pages/boot.js puts on window, as the tests see it inside page.evaluate().
import type * as Sdk from '../../../src/index.js';

declare global {
  interface Window {
    auth: Sdk.AuthClient;
    sdk: typeof Sdk;
    events: { type: string; at: number; code?: string; token?: string }[];
    notices: { type: string; code?: string; timeLeft?: number; value?: string }[];
    popupResult?: Promise<string>;
    callbackResult?: { session: Sdk.Session; returnTo?: string };
    callbackError?: { code: string; message: string };
  }
}
