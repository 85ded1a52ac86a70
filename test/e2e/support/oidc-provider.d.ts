// oidc-provider 9 ships no types and @types/oidc-provider is not a dependency, so this
// declares just the surface the e2e harness touches (configuration stays loosely typed).
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface KoaContext {
    method: string;
    path: string;
    query: Record<string, string | string[] | undefined>;
    status: number;
    body: unknown;
    type: string;
    host: string;
    /** Whether the request came over TLS. */
    secure: boolean;
    req: IncomingMessage;
    res: ServerResponse;
    get(field: string): string;
    redirect(url: string): void;
    set(field: string, value: string): void;
    /** Adds a value to a response header (e.g. one more Set-Cookie). */
    append(field: string, value: string): void;
    remove(field: string): void;
    response: { get(field: string): string };
    // biome-ignore lint/suspicious/noExplicitAny: provider internals, untyped upstream
    oidc: any;
  }

  export interface InteractionDetails {
    uid: string;
    prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
    params: Record<string, unknown>;
  }

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    readonly issuer: string;
    proxy: boolean;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    use(middleware: (ctx: KoaContext, next: () => Promise<void>) => Promise<void>): void;
    // biome-ignore lint/suspicious/noExplicitAny: event payloads differ per event
    on(event: string, listener: (...args: any[]) => void): this;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionResult(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<string>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    // biome-ignore lint/suspicious/noExplicitAny: model classes, untyped upstream
    readonly Session: any;
    // biome-ignore lint/suspicious/noExplicitAny: model classes, untyped upstream
    readonly Grant: any;
    // biome-ignore lint/suspicious/noExplicitAny: model classes, untyped upstream
    readonly AccessToken: any;
  }
}
