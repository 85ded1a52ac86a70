import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { type ApplicationConfig, InjectionToken, provideZoneChangeDetection } from '@angular/core';
import { provideRouter } from '@angular/router';
import { authInterceptor, type ConnectAuthOptions, provideConnectAuth } from 'connect-pkce/angular';
import { routes } from './app.routes';

/** config.json: the sign-in settings (an `authority`, or CONNECT's `region`), and the two URLs the example calls. */
export type ExampleConfig = ConnectAuthOptions & {
  /** The protected API: its origin gets the access token. */
  api: string;
  /** An endpoint on an origin that is not listed: it never gets the token. */
  other: string;
};

export const EXAMPLE_CONFIG = new InjectionToken<ExampleConfig>('example config');

export const appConfig = (config: ExampleConfig): ApplicationConfig => ({
  providers: [
    // zone.js, as AVEVA's samples and most Angular apps today: the binding keeps the SDK's timers out of the zone.
    provideZoneChangeDetection({ eventCoalescing: true }),
    provideRouter(routes),
    provideHttpClient(withInterceptors([authInterceptor])),
    provideConnectAuth({ ...config, scope: 'openid ocsapi', origins: [new URL(config.api).origin] }),
    { provide: EXAMPLE_CONFIG, useValue: config },
  ],
});
