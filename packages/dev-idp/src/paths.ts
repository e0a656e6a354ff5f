/** Auth0-compatible endpoint paths (relative to the issuer, which ends with a slash). */
export const routes = {
  authorization: '/authorize',
  token: '/oauth/token',
  userinfo: '/userinfo',
  jwks: '/.well-known/jwks.json',
  revocation: '/oauth/revoke',
  end_session: '/oidc/logout',
} as const;

/** The OpenID scopes the IdP knows; API scopes come from `apis`. */
export const oidcScopes = ['openid', 'profile', 'email', 'offline_access'] as const;
