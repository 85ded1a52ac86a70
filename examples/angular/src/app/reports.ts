import { HttpClient, type HttpErrorResponse } from '@angular/common/http';
import { Component, inject, type OnInit, signal } from '@angular/core';
import { EXAMPLE_CONFIG } from './app.config';

interface Namespace {
  Id: string;
  Description: string;
}

/** The guarded page: calls the API (its origin is listed: the interceptor adds the token) and another origin (not). */
@Component({
  selector: 'app-reports',
  template: `
    <h2>Reports</h2>
    <button id="reload" (click)="load()">Call the API again</button>
    <p id="api">{{ api() }}</p>
    <ul>
      @for (ns of namespaces(); track ns.Id) { <li>{{ ns.Id }}: {{ ns.Description }}</li> }
    </ul>
    <p id="other">{{ other() }}</p>
  `,
})
export class Reports implements OnInit {
  private readonly http = inject(HttpClient);
  private readonly config = inject(EXAMPLE_CONFIG);
  protected readonly namespaces = signal<Namespace[]>([]);
  protected readonly api = signal('Calling the API…');
  protected readonly other = signal('');
  private calls = 0;

  ngOnInit(): void {
    this.load();
  }

  load(): void {
    const call = ++this.calls;
    this.http.get<Namespace[]>(this.config.api).subscribe({
      next: (list) => {
        this.namespaces.set(list);
        this.api.set(`API call ${call}: ${list.length} namespaces`);
      },
      error: (e: HttpErrorResponse) => this.api.set(`API call ${call} failed: ${e.status} ${e.error?.code ?? e.message}`),
    });
    // An origin not in `origins`: the request goes without the token.
    this.http.get<{ authorization: boolean }>(this.config.other).subscribe({
      next: (r) => this.other.set(`Other origin, call ${call}: ${r.authorization ? 'received a token' : 'received no token'}`),
      error: (e: HttpErrorResponse) => this.other.set(`Other origin, call ${call} failed: ${e.status}`),
    });
  }
}
