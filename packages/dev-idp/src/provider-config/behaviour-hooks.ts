// The parts of the oidc-provider configuration that depend on the provider behaviour, one
// small function per behaviour, so the other parts never look at the flags.
import { type Configuration, interactionPolicy } from 'oidc-provider';
import type { ProviderBehaviour } from '../behaviour.js';
import { autoSubmitPage, loggedOutPage, logoutConfirmPage } from '../views.js';

type Features = NonNullable<Configuration['features']>;

const webMessageAck = 'individual-draft-01';

/** `features.webMessageResponseMode`: off removes it from discovery and refuses the response mode. */
export function webMessageFeature(behaviour: ProviderBehaviour): Features['webMessageResponseMode'] {
  return { enabled: behaviour.webMessage, ack: webMessageAck };
}

/**
 * `interactions.policy`: oidc-provider's own prompts, with the error `prompt=none` answers
 * without a session (`noSessionError`) and, with `requireIdTokenHint`, a first check that
 * answers `invalid_request` to a silent request without a hint. The policy is where
 * oidc-provider turns a needed interaction into the `prompt=none` error, so the answer goes to
 * the redirect URI in the requested response mode like any other.
 */
export function interactionPolicyFor(behaviour: ProviderBehaviour): interactionPolicy.DefaultPolicy {
  const { base, Prompt, Check } = interactionPolicy;
  const policy = base();
  if (behaviour.noSessionError !== 'login_required') {
    for (const check of policy.get('login')?.checks ?? []) {
      if (check.error === 'login_required') check.error = behaviour.noSessionError;
    }
  }
  if (behaviour.requireIdTokenHint) {
    const hintRequired = new Check('id_token_hint_missing', 'prompt=none requires an id_token_hint', 'invalid_request', (ctx) =>
      Boolean(ctx.oidc?.promptPending('none') && !ctx.oidc.params?.id_token_hint),
    );
    policy.unshift(new Prompt({ name: 'id_token_hint', requestable: false }, hintRequired));
  }
  return policy;
}

/**
 * `issueRefreshToken`: by default when `offline_access` was granted; with
 * `refreshTokensWithoutOfflineAccess`, on every code exchange of a client allowed the refresh
 * grant, since `offline_access` is then never granted.
 */
export function issueRefreshTokenFor(behaviour: ProviderBehaviour): Configuration['issueRefreshToken'] {
  return (_ctx, client, code) =>
    client.grantTypeAllowed('refresh_token') &&
    (behaviour.refreshTokensWithoutOfflineAccess || code.scopes.has('offline_access'));
}

/** `features.rpInitiatedLogout`: off with `endSessionEndpoint: false`; asks every time with `logoutConfirmation`. */
export function logoutFeature(behaviour: ProviderBehaviour, issuer: string): Features['rpInitiatedLogout'] {
  return {
    enabled: behaviour.endSessionEndpoint,
    async logoutSource(ctx) {
      const oidc = ctx.oidc;
      const action = oidc?.urlFor('end_session_confirm') ?? '';
      const xsrf = logoutXsrf(oidc?.session?.state);
      ctx.type = 'html';
      // The client is identified (id_token_hint or client_id were checked by oidc-provider),
      // so the user already chose to log out in that app: no second confirmation, unless the
      // behaviour models a provider that always asks.
      ctx.body =
        oidc?.client && !behaviour.logoutConfirmation
          ? autoSubmitPage('Signing out…', action, { xsrf, logout: 'yes' })
          : logoutConfirmPage(action, xsrf, new URL(issuer).host);
    },
    async postLogoutSuccessSource(ctx) {
      ctx.type = 'html';
      ctx.body = loggedOutPage(ctx.oidc?.client?.clientName);
    },
  };
}

/** The secret oidc-provider keeps in the session state for the logout form (its `xsrf` field). */
function logoutXsrf(state: Record<string, unknown> | undefined): string {
  return typeof state?.secret === 'string' ? state.secret : '';
}

/**
 * `features.dPoP` (RFC 9449), always on: a token request with a valid `DPoP` proof gets
 * `token_type: "DPoP"` access tokens bound to the proof's key (`cnf.jkt`), and a public client
 * also gets a refresh token bound to it; a request without a proof gets Bearer tokens as
 * before, unless the client has `requireDpop`. With `dpopNonce`, proofs need a nonce made from
 * `nonceSecret` (oidc-provider's nonces are stateless HMACs over a time step).
 */
export function dpopFeature(behaviour: ProviderBehaviour, nonceSecret: Buffer): Features['dPoP'] {
  return behaviour.dpopNonce
    ? { enabled: true, nonceSecret, requireNonce: () => true }
    : { enabled: true, requireNonce: () => false };
}
