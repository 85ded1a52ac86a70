// What test/e2e/pages/boot.js puts on window, as the tests see it inside page.evaluate().
import type * as Idle from '../../../src/idle.js';
import type * as Sdk from '../../../src/index.js';
import type * as Monitor from '../../../src/session-monitor.js';

declare global {
  interface Window {
    auth: Sdk.AuthClient;
    sdk: typeof Sdk;
    /** The script-tag build's global; each add-on script adds its function to it. */
    ConnectPkce?: typeof Sdk & Partial<typeof Monitor & typeof Idle>;
    events: { type: string; at: number; code?: string; token?: string }[];
    notices: { type: string; code?: string; timeLeft?: number; value?: string }[];
    popupResult?: Promise<string>;
    callbackResult?: { session: Sdk.Session; returnTo?: string };
    callbackError?: { code: string; message: string };
    importAddOn(name: 'session-monitor'): Promise<typeof Monitor>;
    importAddOn(name: 'idle'): Promise<typeof Idle>;
    /** Set by the session-monitor and idle suites. */
    monitor?: Monitor.SessionMonitor;
    ended?: string[];
    idle?: Idle.IdleSignOut;
    countdown?: (number | 'active')[];
  }
}
