// Opt-in features for the add-ons: each imports its add-on, so an app that does not call it ships none of it.
import { DestroyRef, ENVIRONMENT_INITIALIZER, inject, NgZone, type Signal, signal } from '@angular/core';
import { type IdleOptions, signOutWhenIdle } from '../idle.js';
import { monitorSession, type SessionMonitorOptions } from '../session-monitor.js';
import { ConnectAuth } from './auth.js';
import type { ConnectAuthFeature } from './provide.js';

/** Idle sign-out's countdown, for a "you will be signed out" warning: `inject(ConnectIdle)` with `withIdleSignOut`. */
export abstract class ConnectIdle {
  /** Seconds left before the sign-out while the countdown runs, else null. */
  abstract readonly secondsLeft: Signal<number | null>;
  /** Counts as activity now, in every tab (e.g. a "Stay signed in" button). */
  abstract reset(): void;
}

/** Starts `start(client)` outside the zone once the app's injector is up, and stops it with the app. */
const startAddOn = (start: (auth: ConnectAuth) => { dispose(): void } | undefined) => ({
  provide: ENVIRONMENT_INITIALIZER,
  multi: true,
  useValue: () => {
    const auth = inject(ConnectAuth);
    const handle = inject(NgZone).runOutsideAngular(() => start(auth));
    inject(DestroyRef).onDestroy(() => handle?.dispose());
  },
});

/**
 * Signs the user out after `after` seconds without activity in any tab (the core's `signOutWhenIdle`), with its
 * countdown as a signal: `inject(ConnectIdle).secondsLeft()`. `onCountdown` and `onActive` are still called.
 */
export function withIdleSignOut(options: IdleOptions): ConnectAuthFeature {
  const secondsLeft = signal<number | null>(null);
  let reset = () => {};
  return {
    providers: [
      { provide: ConnectIdle, useFactory: (): ConnectIdle => ({ secondsLeft: secondsLeft.asReadonly(), reset: () => reset() }) },
      startAddOn(({ client }) => {
        if (!client) return undefined;
        const idle = signOutWhenIdle(client, {
          ...options,
          onCountdown(s) {
            secondsLeft.set(s);
            options.onCountdown?.(s);
          },
          onActive() {
            secondsLeft.set(null);
            options.onActive?.();
          },
        });
        reset = () => idle.reset();
        return idle;
      }),
    ],
  };
}

/**
 * Watches the provider session (the core's `monitorSession`): a sign-out at the provider signs the app out in
 * every tab, and `authGuard` takes the user off guarded routes.
 */
export function withSessionMonitor(options: SessionMonitorOptions = {}): ConnectAuthFeature {
  return { providers: [startAddOn(({ client }) => (client ? monitorSession(client, options) : undefined))] };
}
