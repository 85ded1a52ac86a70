// @vitest-environment node
/**
 * The popup entry points during server-side rendering: a click handler's module may be evaluated on the server, and
 * a call there must reject with `not_in_browser` like the client's own actions, never throw a bare ReferenceError.
 */
import { describe, expect, it } from 'vitest';
import { AuthError, type AuthClient, createAuthClient, loginWithPopup, renewWithPopup } from '../../src/index.js';

describe('loginWithPopup and renewWithPopup without a browser', () => {
  it('return a promise that rejects with not_in_browser, for the inert client and for any other object', async () => {
    const client = createAuthClient({ authority: 'https://idp.example', clientId: 'c', redirectUri: 'https://app.example/' });
    // Outside a browser nothing tells a wrapping service from the inert client: both are simply not usable here.
    const service = { ...client } as AuthClient;
    for (const call of [loginWithPopup, renewWithPopup])
      for (const target of [client, service]) {
        let result: Promise<unknown> | undefined;
        expect(() => {
          result = call(target);
        }).not.toThrow();
        const err = await result?.catch((e: unknown) => e);
        expect(err).toBeInstanceOf(AuthError);
        expect((err as AuthError).code).toBe('not_in_browser');
      }
  });
});
