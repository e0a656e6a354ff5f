import type { SsoError, SsoErrorCode } from './errors.js';
import type { SessionCheckStatus, SignedOutReason, TokenSource } from './vocabulary.js';

export type { SessionCheckStatus, SignedOutReason, TokenSource } from './vocabulary.js';

/**
 * Parameters sent to the authorization endpoint. Wire names as the spec spells them.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
 */
export interface AuthorizationParams {
  /** Where the provider sends the browser back; must be registered with the provider. */
  redirect_uri?: string;
  /** The API the access token is for (Auth0 style `audience`). */
  audience?: string;
  /** Space-separated scopes; `openid` is always added. */
  scope?: string;
  /** `login`, `none`, `consent`, `select_account`. */
  prompt?: string;
  /** Maximum authentication age in seconds; the ID token's `auth_time` is then checked. */
  max_age?: number | string;
  /** Any other parameter the provider understands. */
  [parameter: string]: unknown;
}

/** Options of {@link SsoClient.getTokenSilently}. */
export interface GetTokenSilentlyOptions {
  /** Which token: tokens are cached per audience and scope; other parameters go to a renewal's request. */
  authorizationParams?: {
    /** The API the token is for; the client's default `authorizationParams.audience` when absent. */
    audience?: string;
    /** Space-separated scopes; the client's default scope when absent. */
    scope?: string;
    [parameter: string]: unknown;
  };
  /** `'on'` (default): cache first; `'off'`: always renew; `'cache-only'`: never renew. */
  cacheMode?: 'on' | 'off' | 'cache-only';
  /** Return {@link TokenDetails} instead of the access token. */
  detailedResponse?: boolean;
  /** Overrides `authorizeTimeoutInSeconds` for this call. */
  timeoutInSeconds?: number;
  /**
   * `'auto'` (default): refresh token when enabled, else the iframe; `'provider'`: through the
   * authorization endpoint (hidden iframe, `prompt=none`), which slides the SSO session;
   * `'refresh_token'`: the refresh token only.
   */
  renewVia?: 'auto' | 'provider' | 'refresh_token';
}

/** Options of {@link SsoClient.checkSession}. */
export interface CheckSessionOptions extends GetTokenSilentlyOptions {
  /** Overrides the client's `checkSessionRedirect` for this call. */
  redirect?: boolean | 'returning';
}

/**
 * What the latest session check found: `signed_in`, `signed_out` (the provider has no session
 * to use silently, or nothing could renew), or `failed` (the provider could not be asked: it
 * is unreachable, slow or answered wrongly), with the typed error. A failed check leaves the
 * app signed out and able to call `loginWithRedirect()`.
 */
export interface SessionCheckResult {
  /**
   * `signed_in`, `signed_out` (no session to use silently), `failed` (the provider could not be
   * asked), or `redirecting`: the check found no session silently and now looks for it with a
   * top-level `prompt=none` redirect (see `checkSessionRedirect`), so the page is going away:
   * render nothing and start no login of your own, which would race it.
   */
  status: SessionCheckStatus;
  /** Why the check did not sign the user in (also set for `signed_out`). */
  error?: SsoError;
  /** Epoch milliseconds. */
  at: number;
}

/** What {@link SsoClient.logout} did at the provider. */
export interface LogoutResult {
  /**
   * `redirected`: the browser is going to the provider's end-session endpoint. `not_supported`:
   * the provider has no end-session endpoint, so its SSO session may still be alive (another
   * site may still sign in silently). `skipped`: local logout only (`openUrl: false`).
   */
  provider: 'redirected' | 'not_supported' | 'skipped';
}

/** The token response as `getTokenSilently({ detailedResponse: true })` returns it. */
export interface TokenDetails {
  /** The access token for the audience and scope asked for. */
  access_token: string;
  /** The latest ID token (raw JWT). */
  id_token: string;
  /** Seconds left until the pair expires, from the local clock. */
  expires_in: number;
  /** The scopes the provider granted, space-separated. */
  scope: string;
  /** Usually `Bearer` (`DPoP` for sender-constrained tokens). */
  token_type: string;
}

/** ID token claims, plus the raw token as `__raw` (auth0-spa-js compatible). */
export interface IdTokenClaims {
  /** The issuer: the provider's issuer identifier. */
  iss: string;
  /** The subject: the user's stable id at the provider. */
  sub: string;
  /** The audience: this client's id (alone or among others). */
  aud: string | string[];
  /** Expiry, in epoch seconds. */
  exp: number;
  /** Issued at, in epoch seconds. */
  iat: number;
  /** The raw ID token (a JWT), e.g. for `id_token_hint`. */
  __raw: string;
  [claim: string]: unknown;
}

/** The profile claims of the ID token (protocol claims removed). */
export interface User {
  /** The subject: the user's stable id at the provider. */
  sub: string;
  /** The full name, when the provider releases the `profile` scope's claims. */
  name?: string;
  /** The email address, when the provider releases the `email` scope's claims. */
  email?: string;
  [claim: string]: unknown;
}

/** Options of {@link SsoClient.loginWithRedirect}. */
export interface RedirectLoginOptions {
  /** Returned by `handleRedirectCallback()`; e.g. `{ targetUrl: '/orders' }` for deep links. */
  appState?: unknown;
  /** Parameters of this authorization request, merged over the client's defaults. */
  authorizationParams?: AuthorizationParams;
  /** Navigate yourself (e.g. with a router); defaults to `location.assign`. */
  openUrl?: (url: string) => void | Promise<void>;
}

/** Options of {@link SsoClient.loginWithPopup}. */
export interface PopupLoginOptions {
  /** Parameters of this authorization request, merged over the client's defaults. */
  authorizationParams?: AuthorizationParams;
  /** A window you opened synchronously in the click handler (avoids popup blockers). */
  popup?: Window;
  /** How long to wait for the user (default `authorizeTimeoutInSeconds`); {@link PopupConfigOptions} wins. */
  timeoutInSeconds?: number;
}

/** The popup itself (auth0-spa-js's second argument of `loginWithPopup` / `getTokenWithPopup`). */
export interface PopupConfigOptions {
  /** A window you opened synchronously in the click handler (avoids popup blockers). */
  popup?: Window;
  /** How long to wait for the user (default `authorizeTimeoutInSeconds`). */
  timeoutInSeconds?: number;
  /** Close the popup when done (default true). With `false` a popup you passed stays open. */
  closePopup?: boolean;
}

/** Options of {@link SsoClient.getTokenWithPopup}: the audience and scope of the token, and the popup's login options. */
export interface GetTokenWithPopupOptions extends PopupLoginOptions {
  /** `'on'` (default): a valid cached token is returned without a popup; `'off'`: always the popup. */
  cacheMode?: 'on' | 'off';
}

/** Options of {@link SsoClient.logout}. */
export interface LogoutOptions {
  /**
   * Parameters of the end-session request. `returnTo` becomes `post_logout_redirect_uri`;
   * `federated` is passed as it is (providers that know it also end the upstream session);
   * any other parameter is passed through.
   */
  logoutParams?: {
    /** Where the provider sends the browser after logout (`post_logout_redirect_uri`); must be registered. */
    returnTo?: string;
    /** Ask the provider to end the upstream (federated) identity provider's session too, where it supports it. */
    federated?: boolean;
    [parameter: string]: unknown;
  };
  /**
   * The `client_id` sent to the end-session endpoint: this client's by default, another client
   * id, or `null` to send none (auth0-spa-js compatible).
   */
  clientId?: string | null;
  /** `false`: local logout only; a function: navigate yourself. */
  openUrl?: false | ((url: string) => void | Promise<void>);
}

/** The result of {@link SsoClient.handleRedirectCallback}. */
export interface RedirectLoginResult<TAppState = unknown> {
  /** The `appState` given to `loginWithRedirect`. */
  appState?: TAppState;
  /**
   * Set when the callback ended a top-level `prompt=none` session check: `'signed_in'` (an SSO
   * session existed) or `'no_session'` (the provider said login is required).
   */
  sessionCheck?: 'signed_in' | 'no_session';
}

/**
 * What {@link SsoClient.subscribe} listeners receive. Times are epoch milliseconds from the
 * client's clock. Events never carry tokens.
 */
export type SsoClientEvent =
  | {
      /** New tokens were stored (in this tab or, with `fromOtherTab`, another). */
      type: 'tokens';
      /** How they were obtained. */
      source: TokenSource;
      /** True when the tokens came through the authorization endpoint, which slides the SSO session. */
      throughProvider: boolean;
      /** When the tokens were stored. */
      at: number;
      /** When the ID token expires. */
      idTokenExpiresAt: number;
      /** When the access token expires. */
      accessTokenExpiresAt: number;
      /** The user the tokens are for. */
      sub: string;
      /** True when another tab obtained them. */
      fromOtherTab: boolean;
    }
  | {
      /** This site's session ended in this tab or another. */
      type: 'signed_out';
      /** Why it ended. */
      reason: SignedOutReason;
      /** True when another tab ended it. */
      fromOtherTab: boolean;
    }
  | {
      /** A silent renewal failed with a typed error (a `login_required` one also ends the session). */
      type: 'renewal_failed';
      /** The error's {@link SsoError.code}. */
      code: SsoErrorCode;
      /** When it failed. */
      at: number;
    }
  | {
      /** A session check finished (start-up, `checkSession()`, or a top-level check coming back). */
      type: 'session_check';
      /** What it found. */
      status: SessionCheckResult['status'];
      /** The error's code when it did not sign the user in. */
      code?: SsoErrorCode;
      /** When it finished. */
      at: number;
    };
