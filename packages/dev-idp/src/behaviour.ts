// How the dev IdP answers where real OpenID providers differ. The defaults are this IdP's own
// (Auth0-like) behaviour; profiles switch groups of flags on so an SDK can be tested against
// providers that behave otherwise, each flag modelling one row of the interop table.

/**
 * Provider behaviours an SDK must absorb. Every flag defaults to the dev IdP's own behaviour.
 */
export interface ProviderBehaviour {
  /** Advertise and support `response_mode=web_message`. False: not in discovery, and refused. Default true. */
  webMessage: boolean;
  /** What `prompt=none` answers without an SSO session. Default `'login_required'`. */
  noSessionError: 'login_required' | 'interaction_required';
  /**
   * `prompt=none` without an `id_token_hint` answers `invalid_request` (to the redirect URI, like
   * any authorization error). A hint not issued by this IdP is refused the same way in any case.
   * Default false.
   */
  requireIdTokenHint: boolean;
  /**
   * `prompt=none` is ignored: without a session the authorization endpoint answers with its
   * login page (200), which refuses to be framed (`X-Frame-Options: DENY`, CSP
   * `frame-ancestors 'none'`), so a silent frame gets no answer. Default false.
   */
  framedLoginPage: boolean;
  /**
   * RFC 9207: `iss` in every authorization response and
   * `authorization_response_iss_parameter_supported` in discovery. False: neither. Default true.
   */
  issParameter: boolean;
  /** A refresh response carries a new `id_token`. False: access token (and refresh token) only. Default true. */
  refreshIdToken: boolean;
  /**
   * Refresh tokens are issued on every code exchange without `offline_access` ever being
   * granted (oidc-provider's own rule: it drops `offline_access` unless `prompt=consent`), so a
   * refresh asking for `offline_access`, or any scope beyond the grant, gets `invalid_scope`.
   * Such refresh tokens end with the SSO session, as oidc-provider binds tokens without
   * `offline_access` to it. Default false (`offline_access` is granted when asked for).
   */
  refreshTokensWithoutOfflineAccess: boolean;
  /** Token endpoint errors are HTTP 400 with an empty body. Default false (JSON `{ error, error_description }`). */
  emptyTokenErrors: boolean;
  /** Every refresh rotates the refresh token (with reuse detection). False: the same token keeps working. Default true. */
  rotateRefreshTokens: boolean;
  /**
   * Logout at the IdP leaves refresh tokens granted with `offline_access` alive; only
   * revocation (RFC 7009) ends them. Default false (logout revokes them).
   */
  refreshSurvivesLogout: boolean;
  /** RP-initiated logout always asks the user to confirm, even when the client is identified. Default false. */
  logoutConfirmation: boolean;
  /** Offer RP-initiated logout (`end_session_endpoint`, `/oidc/logout`, `/v2/logout`). False: none of them. Default true. */
  endSessionEndpoint: boolean;
  /** The token endpoint answers CORS with `Access-Control-Allow-Origin: *` for any origin. Default false (registered origins only). */
  corsWildcard: boolean;
  /** The issuer ends with a slash (`http://host:port/`, as Auth0's). False: `http://host:port`. Default true. */
  trailingSlashIssuer: boolean;
}

/** The dev IdP's own behaviour. */
export const defaultBehaviour: Readonly<ProviderBehaviour> = Object.freeze({
  webMessage: true,
  noSessionError: 'login_required',
  requireIdTokenHint: false,
  framedLoginPage: false,
  issParameter: true,
  refreshIdToken: true,
  refreshTokensWithoutOfflineAccess: false,
  emptyTokenErrors: false,
  rotateRefreshTokens: true,
  refreshSurvivesLogout: false,
  logoutConfirmation: false,
  endSessionEndpoint: true,
  corsWildcard: false,
  trailingSlashIssuer: true,
});

/** Names of the built-in profiles. */
export type ProfileName = 'default' | 'hint-required' | 'framed-login' | 'minimal';

/**
 * Built-in profiles: groups of behaviours seen together at real providers. Together they switch
 * every behaviour away from its default at least once.
 */
export const profiles: Readonly<Record<ProfileName, Readonly<Partial<ProviderBehaviour>>>> = Object.freeze({
  /** The dev IdP as it always was (Auth0-like). */
  default: Object.freeze({}),
  /** Silent authentication only with a hint; no web_message, no RFC 9207 `iss`; logout asks and spares refresh tokens. */
  'hint-required': Object.freeze({
    webMessage: false,
    noSessionError: 'interaction_required',
    requireIdTokenHint: true,
    issParameter: false,
    logoutConfirmation: true,
    refreshSurvivesLogout: true,
  }),
  /** Ignores `prompt=none` (unframeable login page); a terse, non-rotating token endpoint open to any origin. */
  'framed-login': Object.freeze({
    framedLoginPage: true,
    refreshIdToken: false,
    refreshTokensWithoutOfflineAccess: true,
    emptyTokenErrors: true,
    rotateRefreshTokens: false,
    corsWildcard: true,
  }),
  /** No logout endpoint, an issuer without a trailing slash, no web_message. */
  minimal: Object.freeze({
    endSessionEndpoint: false,
    trailingSlashIssuer: false,
    webMessage: false,
  }),
});

const profileNames = Object.keys(profiles) as ProfileName[];

function isProfileName(name: unknown): name is ProfileName {
  return typeof name === 'string' && (profileNames as string[]).includes(name);
}

/**
 * The effective behaviour: defaults, then the profile's flags, then explicit `behaviour` flags.
 * Throws a `TypeError` naming an unknown profile, an unknown flag or a value of the wrong type.
 */
export function resolveBehaviour(
  profile: ProfileName | undefined,
  behaviour: Partial<ProviderBehaviour> = {},
): ProviderBehaviour {
  if (profile !== undefined && !isProfileName(profile)) {
    throw new TypeError(`unknown profile ${JSON.stringify(profile)}; profiles: ${profileNames.join(', ')}`);
  }
  for (const [key, value] of Object.entries(behaviour)) {
    if (!(key in defaultBehaviour)) throw new TypeError(`unknown behaviour ${key}`);
    if (value === undefined) continue;
    const valid =
      key === 'noSessionError' ? value === 'login_required' || value === 'interaction_required' : typeof value === 'boolean';
    if (!valid) throw new TypeError(`behaviour ${key} cannot be ${JSON.stringify(value)}`);
  }
  const defined = Object.fromEntries(Object.entries(behaviour).filter(([, value]) => value !== undefined));
  return { ...defaultBehaviour, ...(profile ? profiles[profile] : {}), ...defined };
}
