import type { Routes } from '@angular/router';
import { authGuard } from 'connect-pkce/angular';
import { Home } from './home';
import { Reports } from './reports';

export const routes: Routes = [
  { path: '', component: Home, title: 'Home' },
  // Signed out, opening /reports goes to the provider's login and lands back here.
  { path: 'reports', component: Reports, canActivate: [authGuard], title: 'Reports' },
  { path: '**', redirectTo: '' },
];
