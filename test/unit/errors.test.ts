import { AuthorizationResponseError, ResponseBodyError, WWWAuthenticateChallengeError } from 'oauth4webapi';
import { describe, expect, it } from 'vitest';
import { AuthError, type AuthErrorCode, isTransient, needsInteraction, toAuthError } from '../../src/errors.js';

const bodyError = (status: number, body: { error: string; error_description?: string }) =>
  new ResponseBodyError('server responded with an error in the response body', {
    cause: body,
    response: new Response(JSON.stringify(body), { status }),
  });

/** An oauth4webapi processing error: a plain Error with a code, whose cause may hold the response or its body. */
const processingError = (message: string, code: string, cause?: unknown) => Object.assign(new Error(message, { cause }), { code });

describe('AuthError', () => {
  it('is an Error named AuthError with a code, a message defaulting to the code, a description and a cause', () => {
    const cause = new Error('root');
    const e = new AuthError('access_denied', 'No access', { cause, description: 'The user declined' });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('AuthError');
    expect(e.code).toBe('access_denied');
    expect(e.message).toBe('No access');
    expect(e.description).toBe('The user declined');
    expect(e.cause).toBe(cause);
    expect(new AuthError('timeout').message).toBe('timeout');
    expect('cause' in new AuthError('timeout')).toBe(false);
  });
});

describe('toAuthError', () => {
  it('returns an AuthError unchanged', () => {
    const e = new AuthError('disposed');
    expect(toAuthError(e)).toBe(e);
  });

  it('passes a provider authorization error through with its own code and description', () => {
    const e = new AuthorizationResponseError('authorization response from the server is an error', {
      cause: new URLSearchParams({ error: 'login_required', error_description: 'Sign in first', state: 's' }),
    });
    expect(toAuthError(e)).toMatchObject({
      code: 'login_required',
      message: 'Sign in first',
      description: 'Sign in first',
      cause: { name: 'AuthorizationResponseError', code: e.code },
    });
  });

  it('keeps the code the provider sent in providerCode', () => {
    const e = new AuthorizationResponseError('x', { cause: new URLSearchParams({ error: 'consent_required' }) });
    expect(toAuthError(e)).toMatchObject({ code: 'consent_required', providerCode: 'consent_required' });
    expect(toAuthError(bodyError(503, { error: 'temporarily_unavailable' })).providerCode).toBe('temporarily_unavailable');
  });

  it.each(['mfa_required', 'x_login_required', 'login_required_x', 'slow_down'])(
    "reads a provider code it does not know (%s) as unknown_provider_error, with the code as sent in providerCode",
    (error) => {
      const fromUrl = new AuthorizationResponseError('x', { cause: new URLSearchParams({ error, error_description: 'Why' }) });
      expect(toAuthError(fromUrl)).toMatchObject({ code: 'unknown_provider_error', providerCode: error, description: 'Why' });
      expect(toAuthError(bodyError(400, { error }))).toMatchObject({ code: 'unknown_provider_error', providerCode: error });
    },
  );

  it('sets no providerCode on errors of its own', () => {
    expect(toAuthError(new TypeError('Failed to fetch')).providerCode).toBeUndefined();
    expect(new AuthError('timeout').providerCode).toBeUndefined();
  });

  it('uses the error code as message when the provider sent no description', () => {
    const e = new AuthorizationResponseError('x', { cause: new URLSearchParams({ error: 'interaction_required' }) });
    const a = toAuthError(e);
    expect(a).toMatchObject({ code: 'interaction_required', message: 'interaction_required' });
    expect(a.description).toBeUndefined();
  });

  it('passes a token-endpoint OAuth error (4xx) through with its own code', () => {
    expect(toAuthError(bodyError(400, { error: 'invalid_grant', error_description: 'Code expired' }))).toMatchObject({
      code: 'invalid_grant',
      message: 'Code expired',
      description: 'Code expired',
    });
    expect(toAuthError(bodyError(401, { error: 'invalid_client' })).code).toBe('invalid_client');
  });

  it('reads an OAuth error body with a 5xx status as a network failure', () => {
    expect(toAuthError(bodyError(503, { error: 'temporarily_unavailable' })).code).toBe('network');
  });

  it('reads an unexpected 5xx response as a network failure', () => {
    const e = processingError('unexpected HTTP status code', 'OAUTH_RESPONSE_IS_NOT_CONFORM', new Response('', { status: 502 }));
    expect(toAuthError(e).code).toBe('network');
  });

  it('reads an unexpected 4xx response as invalid_response', () => {
    const e = processingError('unexpected HTTP status code', 'OAUTH_RESPONSE_IS_NOT_CONFORM', new Response('', { status: 404 }));
    expect(toAuthError(e).code).toBe('invalid_response');
  });

  it.each(['AbortError', 'TimeoutError'])('reads a %s as timeout', (name) => {
    const e = new DOMException('signal timed out', name);
    expect(toAuthError(e)).toMatchObject({ code: 'timeout', message: 'signal timed out', cause: { name: e.name } });
  });

  it('reads the bare TypeError of a failed fetch as network', () => {
    const e = new TypeError('Failed to fetch');
    expect(toAuthError(e)).toMatchObject({ code: 'network', message: 'Failed to fetch', cause: { name: 'TypeError' } });
  });

  it('does not take an argument TypeError (it has a code) for a network failure', () => {
    const e = Object.assign(new TypeError('"response" must be an instance of Response'), { code: 'ERR_INVALID_ARG_TYPE' });
    expect(toAuthError(e).code).toBe('invalid_response');
  });

  it('copies a processing error without its cause, which can hold the response body and so a token', () => {
    const body = { access_token: 'AT-secret', id_token: 'ID-secret' };
    const e = processingError('unexpected ID Token "nonce" claim value', 'OAUTH_JWT_CLAIM_COMPARISON_FAILED', { body });
    const a = toAuthError(e);
    expect(a.code).toBe('invalid_response');
    expect(a.message).toBe('unexpected ID Token "nonce" claim value');
    expect(a.cause).toEqual({
      name: 'Error',
      code: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
      message: 'unexpected ID Token "nonce" claim value',
      status: undefined,
    });
    expect(JSON.stringify(a.cause)).not.toContain('secret');
  });

  it.each([undefined, null, 'a string', 42])('turns a thrown %s into invalid_response', (thrown) => {
    const a = toAuthError(thrown);
    expect(a).toBeInstanceOf(AuthError);
    expect(a.code).toBe('invalid_response');
  });

  it('reads a WWW-Authenticate challenge as invalid_response', () => {
    const response = new Response(null, { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });
    const e = new WWWAuthenticateChallengeError('challenge', { cause: [], response });
    expect(toAuthError(e).code).toBe('invalid_response');
  });
});

describe('error classes', () => {
  it.each<AuthErrorCode>(['login_required', 'interaction_required', 'consent_required', 'account_selection_required', 'access_denied', 'invalid_grant'])(
    '%s needs the user and is not transient',
    (code) => {
      const e = new AuthError(code);
      expect(needsInteraction(e)).toBe(true);
      expect(isTransient(e)).toBe(false);
    },
  );

  it.each<AuthErrorCode>(['network', 'timeout', 'server_error', 'temporarily_unavailable'])('%s is transient', (code) => {
    const e = new AuthError(code);
    expect(isTransient(e)).toBe(true);
    expect(needsInteraction(e)).toBe(false);
  });

  it.each<AuthErrorCode>(['invalid_response', 'state_mismatch', 'disposed', 'invalid_client', 'unknown_provider_error'])(
    '%s is neither',
    (code) => {
      const e = new AuthError(code);
      expect(isTransient(e)).toBe(false);
      expect(needsInteraction(e)).toBe(false);
    },
  );
});
