// The idle countdown as React state, its own entry point: `connect-pkce/react-idle`, so that an app using the React
// binding without idle sign-out ships none of it, and the binding's entry stays small. Reads the client of the
// nearest <AuthProvider> through `connect-pkce/react`.
import { useEffect, useRef, useState } from 'react';
import { type IdleOptions, type IdleSignOut, signOutWhenIdle } from './idle.js';
import { useAuthClient } from './react.js';

/** What {@link useIdleSignOut} returns. */
export interface IdleCountdown {
  /** The seconds left in the countdown before the sign-out, or null outside it: show "Stay signed in" when set. */
  secondsLeft: number | null;
  /** Counts as activity in every tab (the "Stay signed in" button). */
  reset(): void;
}

/**
 * Idle sign-out (`signOutWhenIdle` of `connect-pkce/idle`) for the provider's client while the calling component is
 * mounted, with its countdown as state. An app that does not call it ships none of the idle code.
 */
export function useIdleSignOut(options: IdleOptions): IdleCountdown {
  const client = useAuthClient();
  const [secondsLeft, setSecondsLeft] = useState<number | null>(null);
  const handle = useRef<IdleSignOut>(undefined);
  const latest = useRef(options);
  latest.current = options;
  const { after, countdown } = options;
  useEffect(() => {
    const h = signOutWhenIdle(client, {
      after,
      countdown,
      onCountdown: (n) => {
        setSecondsLeft(n);
        latest.current.onCountdown?.(n);
      },
      onActive: () => {
        setSecondsLeft(null);
        latest.current.onActive?.();
      },
      onIdle: () => {
        // The countdown ends here without onActive (this tab's own onIdle).
        setSecondsLeft(null);
        return (latest.current.onIdle ?? client.logout)();
      },
    });
    handle.current = h;
    return () => {
      h.dispose();
      setSecondsLeft(null);
    };
  }, [client, after, countdown]);
  return { secondsLeft, reset: () => handle.current?.reset() };
}
