// The test users as oidc-provider accounts, and the claims and scopes the IdP knows.
import type { Account, Configuration } from 'oidc-provider';
import type { DevUser, ResolvedConfig } from '../config.js';
import { oidcScopes } from '../paths.js';

type AccountSettings = Pick<Configuration, 'findAccount' | 'claims' | 'scopes' | 'conformIdTokenClaims'>;

function accountOf(user: DevUser): Account {
  return {
    accountId: user.sub,
    async claims() {
      return {
        sub: user.sub,
        email: user.email,
        email_verified: true,
        name: user.name ?? user.email,
        nickname: user.email.split('@')[0],
      };
    },
  };
}

export function accountSettings(config: ResolvedConfig): AccountSettings {
  const users = new Map<string, DevUser>(config.users.map((user) => [user.sub, user]));
  return {
    async findAccount(_ctx, sub) {
      const user = users.get(sub);
      return user ? accountOf(user) : undefined;
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'nickname'],
    },
    // The OpenID scopes, then every scope of every API, each once.
    scopes: [...oidcScopes, ...new Set(config.apis.flatMap((api) => api.scopes ?? []))],
    // Auth0 puts profile and email claims in the ID token even when an access token is issued;
    // SDKs read the user from the ID token.
    conformIdTokenClaims: false,
  };
}
