import { mergeApplicationConfig } from '@angular/core';
import { provideServerRendering, RenderMode, type ServerRoute, withRoutes } from '@angular/ssr';
import { appConfig } from './app.config';

/** `/` is rendered at build time; the rest (the guarded reports page first) only in the browser. */
const serverRoutes: ServerRoute[] = [
  { path: '', renderMode: RenderMode.Prerender },
  { path: '**', renderMode: RenderMode.Client },
];

const placeholder = 'http://localhost/';
export const serverConfig = mergeApplicationConfig(
  appConfig({ authority: placeholder, clientId: 'server', redirectUri: placeholder, api: placeholder, other: placeholder }),
  { providers: [provideServerRendering(withRoutes(serverRoutes))] },
);
