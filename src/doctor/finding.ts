// What every doctor check reports, and the helpers the checks share.

/** How one check ended: `fail` means the SDK will not work until it is fixed. */
export type Verdict = 'ok' | 'warn' | 'fail' | 'skip';

/** One line of the doctor's report. */
export interface Finding {
  check: string;
  verdict: Verdict;
  /** What was found, with the values involved. */
  text: string;
  /** What to change, for `warn` and `fail`. */
  fix?: string | undefined;
}

/** Appended to every fix the developer makes in CONNECT's client registration, so a rerun right away is not trusted. */
export const PROPAGATION = 'CONNECT can take up to an hour to apply a client change';

export const found = (check: string, verdict: Verdict, text: string, fix?: string): Finding => ({ check, verdict, text, fix });

export const reason = (e: unknown) =>
  e instanceof Error ? `${e.message}${e.cause instanceof Error ? ` (${e.cause.message})` : ''}` : String(e);

/**
 * Whether a response lets the browser read it from `origin` (Fetch Standard §3.2.5, CORS check): the SDK's requests
 * carry no credentials, so `*` does as well as the origin itself.
 * @see https://fetch.spec.whatwg.org/#cors-check
 */
export const allowsOrigin = (response: Response, origin: string): boolean => {
  const allowed = response.headers.get('access-control-allow-origin');
  return allowed === origin || allowed === '*';
};

/** The `Access-Control-Allow-Origin` a response carried, as the report quotes it. */
export const allowedOrigin = (response: Response) => `Access-Control-Allow-Origin: ${response.headers.get('access-control-allow-origin') ?? 'none'}`;
