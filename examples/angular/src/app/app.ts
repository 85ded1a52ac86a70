import { afterNextRender, ApplicationRef, Component, inject } from '@angular/core';
import { RouterLink, RouterOutlet } from '@angular/router';
import { ConnectAuth } from 'connect-pkce/angular';

@Component({
  selector: 'app-root',
  imports: [RouterLink, RouterOutlet],
  template: `
    <header>
      <h1>connect-pkce + Angular</h1>
      <nav><a routerLink="/">Home</a> · <a routerLink="/reports">Reports (signed in only)</a></nav>
      <p id="status" [attr.data-status]="auth.status()">
        @switch (auth.status()) {
          @case ('signed-in') { Signed in as {{ auth.user()?.['name'] ?? auth.user()?.sub }} }
          @case ('signed-out') { Signed out }
          @default { Starting… }
        }
      </p>
      <!-- A zone.js app that never settles blocks hydration, service workers and whenStable() in tests. -->
      <p>Angular app stable: <span id="stable"></span></p>
      @if (auth.isAuthenticated()) {
        <button id="logout" (click)="auth.logout()">Log out</button>
      } @else {
        <button id="login" (click)="auth.login()">Log in</button>
      }
      @if (auth.error(); as error) { <p id="error">{{ error.code }}: {{ error.message }}</p> }
    </header>
    <main><router-outlet /></main>
  `,
})
export class App {
  protected readonly auth = inject(ConnectAuth);

  constructor() {
    const appRef = inject(ApplicationRef);
    // Written straight to the page, not through a signal: rendering it would itself make the app unstable for a
    // moment each time, and so on for ever.
    afterNextRender(() => {
      const shown = document.getElementById('stable') as HTMLElement;
      appRef.isStable.subscribe((stable) => {
        shown.setAttribute('data-stable', String(stable));
        shown.textContent = stable ? 'yes' : 'no';
      });
    });
  }
}
