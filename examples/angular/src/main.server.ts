// The server-side render of the root (the build prerenders `/` with it). provideConnectAuth creates no client on
// the server, so the settings here only need to be well-formed.
import { type BootstrapContext, bootstrapApplication } from '@angular/platform-browser';
import { App } from './app/app';
import { serverConfig } from './app/app.config.server';

export default (context: BootstrapContext) => bootstrapApplication(App, serverConfig, context);
