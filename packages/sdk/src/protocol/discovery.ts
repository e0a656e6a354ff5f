import { SsoError } from '../errors.js';

/**
 * The provider metadata the SDK reads: the fields it uses, and whatever else the provider lists.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
 */
export interface ProviderMetadata {
  issuer: string;
  authorization_endpoint?: string;
  token_endpoint?: string;
  end_session_endpoint?: string;
  revocation_endpoint?: string;
  userinfo_endpoint?: string;
  response_modes_supported?: string[];
  id_token_signing_alg_values_supported?: string[];
  authorization_response_iss_parameter_supported?: boolean;
  [parameter: string]: unknown;
}

/**
 * Where the provider's metadata lives: the issuer without its trailing slash, then
 * `/.well-known/openid-configuration`.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationRequest
 */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
}

/**
 * Validates a discovery response. The document's `issuer` must equal the configured issuer
 * exactly (no normalisation: `https://op/` and `https://op` are different issuers), or the
 * metadata could belong to another provider (mix-up).
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationValidation
 */
export async function readDiscovery(issuer: string, response: Response): Promise<ProviderMetadata> {
  if (response.status !== 200) {
    throw new SsoError('discovery_failed', `Discovery failed with HTTP ${response.status}`, { status: response.status });
  }
  let metadata: unknown;
  try {
    metadata = await response.json();
  } catch (cause) {
    throw new SsoError('discovery_failed', 'Discovery is not JSON', { cause, status: response.status });
  }
  return checkDiscovery(issuer, metadata);
}

/**
 * Checks provider metadata, fresh from the provider or kept from an earlier page load: an
 * object naming exactly the configured issuer, with authorization and token endpoints.
 */
export function checkDiscovery(issuer: string, metadata: unknown): ProviderMetadata {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new SsoError('discovery_failed', 'Discovery is not an object');
  }
  const as = metadata as ProviderMetadata;
  if (as.issuer !== issuer) {
    // Issuers are public identifiers: naming both makes a trailing-slash mismatch obvious.
    throw new SsoError(
      'issuer_mismatch',
      `The discovery document names the issuer ${JSON.stringify(String(as.issuer).slice(0, 200))}, but the configured issuer is ${JSON.stringify(issuer)}; they must match exactly, trailing slash included`,
    );
  }
  if (typeof as.authorization_endpoint !== 'string' || typeof as.token_endpoint !== 'string') {
    throw new SsoError('discovery_failed', 'Discovery lacks endpoints');
  }
  return as;
}
