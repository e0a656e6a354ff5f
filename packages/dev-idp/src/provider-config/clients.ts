// The clients this IdP serves: public single-page apps registered up front, which sign in with
// the code flow and PKCE and call the IdP from script only from their own origins.
import type { Client, ClientMetadata, Configuration } from 'oidc-provider';
import type { ResolvedClient } from '../config.js';

type ClientSettings = Pick<
  Configuration,
  'clients' | 'extraClientMetadata' | 'clientBasedCORS' | 'clientAuthMethods' | 'responseTypes' | 'pkce'
>;

/** A public client (no secret) that gets codes and refreshes, with its redirect URIs and origins. */
function clientMetadata(client: ResolvedClient): ClientMetadata {
  return {
    client_id: client.clientId,
    client_name: client.name,
    application_type: 'web',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: client.redirectUris,
    post_logout_redirect_uris: client.postLogoutRedirectUris,
    web_origins: client.webOrigins,
    // A client with `requireDpop` never gets a Bearer token.
    dpop_bound_access_tokens: client.requireDpop,
  };
}

/** `web_origins`, Auth0's "Allowed Web Origins": the origins a client may call the IdP from. */
const webOriginsMetadata: Configuration['extraClientMetadata'] = {
  properties: ['web_origins'],
  validator(_ctx, key, value) {
    if (key === 'web_origins' && value !== undefined) {
      if (!Array.isArray(value) || value.some((origin) => typeof origin !== 'string' || new URL(origin).origin !== origin)) {
        throw new TypeError('web_origins must be an array of origins');
      }
    }
  },
};

function webOriginsOf(client: Client): string[] {
  // Extra client metadata keeps its registered (snake_case) name on the client model.
  const origins = client.web_origins;
  return Array.isArray(origins) ? origins.filter((o): o is string => typeof o === 'string') : [];
}

/** The registered clients, and the only kind of client and flow the IdP accepts. */
export function clientSettings(clients: readonly ResolvedClient[]): ClientSettings {
  return {
    clients: clients.map(clientMetadata),
    extraClientMetadata: webOriginsMetadata,
    // CORS on the token, userinfo and revocation endpoints: only the client's own web origins.
    clientBasedCORS: (_ctx, origin, client) => webOriginsOf(client).includes(origin),
    clientAuthMethods: ['none'],
    responseTypes: ['code'],
    pkce: { required: () => true },
  };
}
