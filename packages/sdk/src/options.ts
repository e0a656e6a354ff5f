import type { Platform } from './platform.js';
import type { CustomCache } from './store/cache-store.js';
import type { AuthorizationParams } from './types.js';

/** Options of {@link SsoClient}. Names follow `@auth0/auth0-spa-js` (with `issuer` for `domain`). */
export interface SsoClientOptions {
  /**
   * The provider's issuer identifier, exactly as its discovery document states it
   * (e.g. `https://login.example/` with the trailing slash when the provider uses one).
   * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationValidation
   */
  issuer: string;
  /** The client id registered with the provider (a public client: no secret). */
  clientId: string;
  /** Default parameters of every authorization request. */
  authorizationParams?: AuthorizationParams;
  /**
   * Where tokens live: `'memory'` (default: every reload asks the provider), `'sessionstorage'`
   * (this tab only, survives its reloads), `'localstorage'` (every tab, survives reloads and
   * restarts), or a {@link CustomCache}. The README compares them.
   */
  cacheLocation?: 'memory' | 'sessionstorage' | 'localstorage' | CustomCache;
  /** Ask for `offline_access` and renew with the refresh token instead of the hidden iframe. */
  useRefreshTokens?: boolean;
  /** When the refresh token is missing or rejected, fall back to the hidden iframe once. */
  useRefreshTokensFallback?: boolean;
  /** Limit for the iframe and popup round trips, in seconds (default 60). */
  authorizeTimeoutInSeconds?: number;
  /** Limit for each HTTP request, in seconds (default 10). */
  httpTimeoutInSeconds?: number;
  /** Clock tolerance for ID token time claims, in seconds (default 60). */
  leeway?: number;
  /**
   * Renew this many seconds before a token expires so that it never expires in flight
   * (default: 60, but never more than a tenth of the token's lifetime).
   */
  expiryMarginSeconds?: number;
  /**
   * Where the hidden iframe returns when the provider does not support `response_mode=web_message`:
   * an app page that calls {@link handleSilentCallback}. Defaults to `authorizationParams.redirect_uri`.
   */
  silentCallbackUri?: string;
  /**
   * When `checkSession()` (and so `createSsoClient()`) found no session silently, whether to try
   * one top-level `prompt=none` redirect through the provider, which still sees its session
   * where the browser blocks third-party cookies (the hidden iframe then always says "no
   * session"). At most once per tab per `silentRedirectCooldownSeconds`, never a loop.
   * - `'returning'` (default): only when this site signed a user in before in this browser and
   *   the user has not signed out since, so anonymous visitors are never bounced through the
   *   provider, while a returning user's reload or new tab finds the session without a click.
   * - `true`: always, so a site the user never visited signs in through an existing SSO session
   *   without a form (seamless SSO where third-party cookies are blocked).
   * - `false`: never.
   */
  checkSessionRedirect?: boolean | 'returning';
  /** How long the redirect check stays off after one attempt in this tab (default 300 s). */
  silentRedirectCooldownSeconds?: number;
  /** ID token signing algorithms accepted. Default: the provider's advertised list without `none` and `HS*`. */
  idTokenSigningAlgs?: string[];
  /**
   * Extra parameters of every token request (code exchange and refresh), e.g. a `resource`
   * your provider wants there too (oidc-client-ts `extraTokenParams`).
   */
  extraTokenParams?: Record<string, string>;
  /**
   * Sender-constrained tokens (DPoP, RFC 9449): a non-extractable key, kept in IndexedDB and
   * shared by the site's tabs, signs a proof for every token request, and the authorization
   * code is bound to it (`dpop_jkt`). Tokens stolen from the page are useless without the key.
   * Call your API through {@link SsoClient.createFetcher}, which adds the proof. The DPoP code
   * is loaded on first use only. Default false.
   */
  useDpop?: boolean;
  /**
   * Checks every new ID token's signature against the provider's JWKS (fetched and cached,
   * refetched once for an unknown key id) before anything is stored. Without it, the SDK relies
   * on the ID token coming straight from the token endpoint over TLS (OpenID Connect Core
   * §3.1.3.7), as other SPA SDKs do. The check is loaded on first use only. Default false.
   */
  verifyIdTokenSignature?: boolean;
  /** `window.open` features of the login popup (default `'popup,width=400,height=600'`). */
  popupWindowFeatures?: string;
  /**
   * Where redirect transactions (state, nonce, PKCE verifier, app state) wait for the callback:
   * `'session'` (default) keeps them to the tab that started the login; `'local'` lets the
   * callback complete in another tab of the same browser (a login link that opens a new tab),
   * at the price of sharing them with every tab of the origin.
   */
  transactionStorage?: 'session' | 'local';
  /** The network edge; defaults to the global `fetch`. */
  fetch?: typeof fetch;
  /** The clock in epoch milliseconds; defaults to `Date.now`. */
  now?: () => number;
  /**
   * auth0-spa-js's clock option: like `now`, and it may return a promise (then the SDK follows
   * the clock it resolves to, from the next reading on).
   */
  nowProvider?: () => number | Promise<number>;
  /** Replace the other side effects (storage, timers, locks, navigators); tests use this. */
  platform?: Partial<Platform>;
}
