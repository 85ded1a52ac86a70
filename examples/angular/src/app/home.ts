import { DatePipe } from '@angular/common';
import { Component, inject } from '@angular/core';
import { ConnectAuth } from 'connect-pkce/angular';

@Component({
  selector: 'app-home',
  template: `
    <p>This page is open to everyone. The reports page needs a session: open it signed out and the guard sends you
    to the provider, then back to it.</p>
    @if (auth.session(); as session) {
      <p id="expires">Access token valid until {{ session.expiresAt | date: 'HH:mm:ss' }}; renewed silently before.</p>
    }
  `,
  imports: [DatePipe],
})
export class Home {
  protected readonly auth = inject(ConnectAuth);
}
