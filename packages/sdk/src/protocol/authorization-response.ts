import { SsoError } from '../errors.js';
import { checkNoRepeats } from './callback.js';
import type { ProviderMetadata } from './discovery.js';
import { providerError } from './provider-errors.js';

/**
 * Checks an authorization response against its transaction: no repeated parameter, `iss` (RFC 9207: must equal the
 * issuer, and must be there when the provider advertises it), `state`, then the provider's
 * `error`, and finally that there is a code and nothing of the implicit, hybrid or JARM flows.
 * Returns the authorization code.
 * @see https://datatracker.ietf.org/doc/html/rfc9207#section-2.4
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthResponseValidation
 */
export function checkAuthorizationResponse(as: ProviderMetadata, params: URLSearchParams, expectedState: string): string {
  checkNoRepeats(params);
  const iss = params.get('iss');
  if (iss !== null ? iss !== as.issuer : as.authorization_response_iss_parameter_supported === true) {
    throw new SsoError('issuer_mismatch', 'Response from another issuer (RFC 9207)');
  }
  if (params.get('state') !== expectedState) {
    throw new SsoError('state_mismatch', 'Response state mismatch');
  }
  const error = params.get('error');
  if (error !== null) throw providerError(error, params.get('error_description') ?? undefined);
  const code = params.get('code');
  if (!code || params.has('id_token') || params.has('access_token') || params.has('response')) {
    throw new SsoError('invalid_response', 'Not a code response');
  }
  return code;
}
