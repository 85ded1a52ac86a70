// Type tests (vitest typecheck): what the compiler lets a user write about AuthError.code.
import { describe, expectTypeOf, it } from 'vitest';
import { AuthError, type AuthErrorCode, type ProviderErrorCode, type SdkErrorCode } from '../../src/index.js';

declare const err: AuthError;

describe('AuthError.code', () => {
  it('is a closed union of the known codes', () => {
    expectTypeOf(err.code).toEqualTypeOf<SdkErrorCode | ProviderErrorCode | 'unknown_provider_error'>();
    expectTypeOf<string>().not.toExtend<AuthErrorCode>();
  });

  it('narrows in a switch, down to never once every code is handled', () => {
    switch (err.code) {
      case 'login_required':
        expectTypeOf(err.code).toEqualTypeOf<'login_required'>();
        break;
      case 'network':
      case 'timeout':
        expectTypeOf(err.code).toEqualTypeOf<'network' | 'timeout'>();
        break;
      case 'unknown_provider_error':
        // The code the provider sent is still reachable.
        expectTypeOf(err.providerCode).toEqualTypeOf<string | undefined>();
        break;
      default:
        expectTypeOf(err.code).toEqualTypeOf<
          Exclude<AuthErrorCode, 'login_required' | 'network' | 'timeout' | 'unknown_provider_error'>
        >();
    }
    const label = (code: AuthErrorCode): string => {
      switch (code) {
        case 'invalid_config':
        case 'state_mismatch':
        case 'invalid_response':
        case 'network':
        case 'timeout':
        case 'disposed':
        case 'invalid_return_to':
        case 'untrusted_origin':
        case 'not_in_browser':
        case 'popup_blocked':
        case 'popup_closed':
        case 'issuer_mismatch':
        case 'dpop_unavailable':
        case 'dpop_not_bound':
          return 'sdk';
        case 'login_required':
        case 'interaction_required':
        case 'consent_required':
        case 'account_selection_required':
        case 'access_denied':
        case 'invalid_request':
        case 'invalid_grant':
        case 'invalid_client':
        case 'invalid_scope':
        case 'unauthorized_client':
        case 'unsupported_response_type':
        case 'server_error':
        case 'temporarily_unavailable':
        case 'unknown_provider_error':
          return 'provider';
        default:
          expectTypeOf(code).toBeNever();
          return code;
      }
    };
    expectTypeOf(label).returns.toBeString();
  });

  it('rejects a misspelt code', () => {
    switch (err.code) {
      // @ts-expect-error: not a code
      case 'login_requird':
        break;
    }
    // @ts-expect-error: not a code
    const _typo = err.code === 'netwrok';
    // @ts-expect-error: not a code
    new AuthError('acess_denied');
  });

  it('keeps description and providerCode optional strings, readonly', () => {
    expectTypeOf(err.description).toEqualTypeOf<string | undefined>();
    expectTypeOf(err.providerCode).toEqualTypeOf<string | undefined>();
    // @ts-expect-error: readonly
    err.providerCode = 'x';
  });
});
