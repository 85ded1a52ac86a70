// What bench/pages/*.js put on window, as the runner sees it inside page.evaluate().
export interface RenewResult {
  /** performance.now() difference around renew() / signinSilent(). */
  ms: number;
  /** Wall-clock (performance.timeOrigin + performance.now()) start and end, ms since the epoch. */
  start: number;
  end: number;
  token: string;
}

export interface Mark {
  name: string;
  at: number;
  epoch: number;
}

declare global {
  interface Window {
    bench: {
      marks: Mark[];
      tokens: string[];
      mark(name: string, data?: object): number;
      login(): Promise<void>;
      renew(): Promise<RenewResult>;
      token(): Promise<string | null>;
      held?: string;
      sessionAt?: number;
      tokenAt?: number;
      accessToken?: string;
      error?: string;
    };
  }
}
