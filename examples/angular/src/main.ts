// Reads the sign-in settings at run time (config.json beside index.html: the demo serves its own), then starts.
import { bootstrapApplication } from '@angular/platform-browser';
import { App } from './app/app';
import { appConfig, type ExampleConfig } from './app/app.config';

fetch('config.json')
  .then((res) => res.json() as Promise<ExampleConfig>)
  .then((config) => bootstrapApplication(App, appConfig(config)))
  .catch((err) => console.error(err));
