// The parts of the oidc-provider configuration that depend on the provider behaviour, one
// small function per behaviour, so buildProvider only assembles them.
import { type ClientModel, interactionPolicy, type KoaContext } from 'oidc-provider';
import type { ProviderBehaviour } from './behaviour.js';
import { autoSubmitPage, loggedOutPage, logoutConfirmPage } from './views.js';

const webMessageAck = 'individual-draft-01';

/** `features.webMessageResponseMode`: off removes it from discovery and refuses the response mode. */
export function webMessageFeature(behaviour: ProviderBehaviour): Record<string, unknown> {
  return { enabled: behaviour.webMessage, ack: webMessageAck };
}

/**
 * `interactions.policy`: oidc-provider's own prompts, with the error `prompt=none` answers
 * without a session (`noSessionError`) and, with `requireIdTokenHint`, a first check that
 * answers `invalid_request` to a silent request without a hint. The policy is where
 * oidc-provider turns a needed interaction into the `prompt=none` error, so the answer goes to
 * the redirect URI in the requested response mode like any other.
 */
export function interactionPolicyFor(behaviour: ProviderBehaviour): unknown[] {
  const { base, Prompt, Check } = interactionPolicy;
  const policy = base();
  if (behaviour.noSessionError !== 'login_required') {
    for (const check of policy.get('login')?.checks ?? []) {
      if (check.error === 'login_required') check.error = behaviour.noSessionError;
    }
  }
  if (behaviour.requireIdTokenHint) {
    const hintRequired = new Check(
      'id_token_hint_missing',
      'prompt=none requires an id_token_hint',
      'invalid_request',
      (ctx: KoaContext) => Boolean(ctx.oidc?.promptPending('none') && !ctx.oidc.params.id_token_hint),
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
export function issueRefreshTokenFor(behaviour: ProviderBehaviour) {
  return (_ctx: unknown, client: ClientModel, code: { scopes: Set<string> }): boolean =>
    client.grantTypeAllowed('refresh_token') &&
    (behaviour.refreshTokensWithoutOfflineAccess || code.scopes.has('offline_access'));
}

/** `features.rpInitiatedLogout`: off with `endSessionEndpoint: false`; asks every time with `logoutConfirmation`. */
export function logoutFeature(behaviour: ProviderBehaviour, issuer: string): Record<string, unknown> {
  return {
    enabled: behaviour.endSessionEndpoint,
    async logoutSource(ctx: KoaContext) {
      const oidc = ctx.oidc;
      const action = oidc?.urlFor('end_session_confirm') ?? '';
      const xsrf = oidc?.session.state?.secret ?? '';
      ctx.type = 'html';
      // The client is identified (id_token_hint or client_id were checked by oidc-provider),
      // so the user already chose to log out in that app: no second confirmation, unless the
      // behaviour models a provider that always asks.
      ctx.body =
        oidc?.client && !behaviour.logoutConfirmation
          ? autoSubmitPage('Signing out…', action, { xsrf, logout: 'yes' })
          : logoutConfirmPage(action, xsrf, new URL(issuer).host);
    },
    async postLogoutSuccessSource(ctx: KoaContext) {
      ctx.type = 'html';
      ctx.body = loggedOutPage(ctx.oidc?.client?.clientName);
    },
  };
}
