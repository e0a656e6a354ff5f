import { isSsoError, SsoError } from '../errors.js';
import { scopedName } from '../names.js';
import type { SsoClientOptions } from '../options.js';
import { userFromClaims } from '../protocol/claims.js';
import type {
  CheckSessionOptions,
  GetTokenSilentlyOptions,
  GetTokenWithPopupOptions,
  IdTokenClaims,
  LogoutOptions,
  LogoutResult,
  PopupConfigOptions,
  PopupLoginOptions,
  RedirectLoginOptions,
  RedirectLoginResult,
  SessionCheckResult,
  SignedOutReason,
  SsoClientEvent,
  TokenDetails,
  User,
} from '../types.js';
import { leaveCallbackUrl } from './callback-url.js';
import { checkSession } from './check-session.js';
import { ClientContext } from './context.js';
import { details, getTokens, peekTokens } from './get-tokens.js';
import { loadChunk } from './load-chunk.js';

/** The flows a page needs only when the user acts, or on the callback page: see flows.ts. */
const flows = () => loadChunk(() => import('./flows.js'));

/**
 * An OpenID Connect client for a single-page app: authorization code + PKCE for every token,
 * a token cache, silent renewal and logout, with the method names of `@auth0/auth0-spa-js`.
 * Constructing it touches no browser global; the first network call is discovery.
 * @see https://openid.net/specs/openid-connect-core-1_0.html
 */
export class SsoClient {
  readonly #ctx: ClientContext;

  constructor(options: SsoClientOptions) {
    this.#ctx = new ClientContext(options);
  }

  /**
   * Silent sign-in on start-up (cache, refresh token, hidden iframe, optionally one top-level
   * `prompt=none` redirect). Swallows "no session" answers; other failures throw.
   */
  checkSession(options?: CheckSessionOptions): Promise<void> {
    return checkSession(this.#ctx, options);
  }

  /** Sends the browser to the provider to log in. `appState` comes back from {@link handleRedirectCallback}. */
  async loginWithRedirect(options: RedirectLoginOptions = {}): Promise<void> {
    return (await flows()).redirectToProvider(this.#ctx, 'login', options);
  }

  /**
   * Completes the login on the redirect URI: cleans the address bar, checks the response,
   * exchanges the code, validates the ID token and caches the tokens.
   * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthResponseValidation
   */
  async handleRedirectCallback<TAppState = unknown>(url?: string): Promise<RedirectLoginResult<TAppState>> {
    const href = leaveCallbackUrl(this.#ctx, url);
    const { completeCallback, takeCallback } = await flows();
    return completeCallback(this.#ctx, takeCallback(this.#ctx, href)) as Promise<RedirectLoginResult<TAppState>>;
  }

  /**
   * Logs in through a popup. Call it from a click handler: the window opens before any await
   * (browsers only allow popups inside the click's own task), unless `config.popup` is one you
   * opened there yourself.
   */
  loginWithPopup(options: PopupLoginOptions = {}, config: PopupConfigOptions = {}): Promise<void> {
    const popup = this.#popup(options, config);
    if (!popup) return Promise.reject(new SsoError('popup_blocked', 'Popup blocked'));
    const timeoutInSeconds = config.timeoutInSeconds ?? options.timeoutInSeconds;
    return flows().then(({ popupLogin }) =>
      popupLogin(
        this.#ctx,
        { ...options, ...(timeoutInSeconds === undefined ? {} : { timeoutInSeconds }) },
        popup,
        config.closePopup !== false,
      ),
    );
  }

  /** The caller's popup, else a new one opened now (in the click's own task); `undefined` when blocked. */
  #popup(options: PopupLoginOptions, config: PopupConfigOptions): Window | undefined {
    return (
      config.popup ??
      options.popup ??
      this.#ctx.platform.openPopup(this.#ctx.options.popupWindowFeatures ?? 'popup,width=400,height=600')
    );
  }

  /**
   * An access token for the audience and scope of `options.authorizationParams`, asking the user
   * in a popup (consent, or a login the silent paths cannot do). With `cacheMode: 'on'` (default)
   * a valid cached token is returned without a popup. Call it from a click handler.
   */
  getTokenWithPopup(options: GetTokenWithPopupOptions = {}, config: PopupConfigOptions = {}): Promise<string> {
    // The popup must open in the click's own task, so it opens before anything awaits.
    const popup = this.#popup(options, config);
    return flows().then(({ tokenWithPopup }) => tokenWithPopup(this, options, config, popup));
  }

  /**
   * An access token for the audience and scope: from the cache while valid, else renewed once
   * for all concurrent callers in every tab (refresh token when enabled, else hidden iframe).
   * `cacheMode: 'cache-only'` resolves `undefined` on a miss.
   */
  getTokenSilently(
    options: GetTokenSilentlyOptions & { cacheMode: 'cache-only'; detailedResponse: true },
  ): Promise<TokenDetails | undefined>;
  getTokenSilently(options: GetTokenSilentlyOptions & { cacheMode: 'cache-only' }): Promise<string | undefined>;
  getTokenSilently(options: GetTokenSilentlyOptions & { detailedResponse: true }): Promise<TokenDetails>;
  getTokenSilently(options?: GetTokenSilentlyOptions): Promise<string>;
  getTokenSilently(options: GetTokenSilentlyOptions = {}): Promise<string | TokenDetails | undefined> {
    // A valid token in the cache is answered at once, without an await on the way.
    const cached = peekTokens(this.#ctx, options);
    if (cached) return Promise.resolve(options.detailedResponse ? details(this.#ctx, cached) : cached.access_token);
    return this.#getTokenSilently(options);
  }

  async #getTokenSilently(options: GetTokenSilentlyOptions): Promise<string | TokenDetails | undefined> {
    const tokens = await getTokens(this.#ctx, options);
    if (!tokens) return undefined;
    return options.detailedResponse ? details(this.#ctx, tokens) : tokens.access_token;
  }

  /** The signed-in user's profile claims, or `undefined`; `TUser` types your provider's claims. */
  async getUser<TUser extends User = User>(): Promise<TUser | undefined> {
    const user = await this.#ctx.cache.user();
    return user && (userFromClaims(user.claims) as TUser);
  }

  /**
   * The provider's userinfo claims for the signed-in user (oidc-client-ts `loadUserInfo`),
   * fetched on demand with an access token from {@link getTokenSilently} for `options`; its
   * `sub` must be the ID token's (OpenID Connect Core §5.3.4). Some providers accept only access
   * tokens issued for themselves there, not for an API `audience`.
   * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfo
   */
  async getUserInfo<TClaims extends User = User>(options?: GetTokenSilentlyOptions): Promise<TClaims> {
    return (await flows()).userInfo<TClaims>(this.#ctx, (fetch) => this.createFetcher({ ...options, fetch }));
  }

  /**
   * A `fetch` for your API: every request carries an access token from
   * {@link getTokenSilently} (with `options`), sent the way the provider issued it: DPoP-bound
   * tokens (`useDpop`) with a fresh proof of possession, retried once when the API asks for a
   * DPoP nonce; Bearer tokens as `Authorization: Bearer`. `options.fetch` replaces the global one.
   * @see https://datatracker.ietf.org/doc/html/rfc9449#section-7
   */
  createFetcher(
    options: GetTokenSilentlyOptions & { fetch?: typeof globalThis.fetch } = {},
  ): (input: RequestInfo | URL, init?: RequestInit) => Promise<Response> {
    const { fetch, ...tokenOptions } = options;
    const ctx = this.#ctx;
    const getToken = () =>
      this.getTokenSilently({ ...tokenOptions, cacheMode: tokenOptions.cacheMode ?? 'on', detailedResponse: true });
    return async (input, init) => (await (await flows()).fetchWithToken(ctx, getToken, fetch))(input, init);
  }

  /** All claims of the latest ID token, with the raw token as `__raw`; `TClaims` types your provider's claims. */
  async getIdTokenClaims<TClaims extends IdTokenClaims = IdTokenClaims>(): Promise<TClaims | undefined> {
    return (await this.#ctx.cache.user())?.claims as TClaims | undefined;
  }

  /** True while this site has a session (a user whose session has not been ended). */
  async isAuthenticated(): Promise<boolean> {
    return (await this.#ctx.cache.user()) !== undefined;
  }

  /**
   * Clears this site's tokens in every tab, revokes its refresh tokens where the provider offers
   * revocation, then ends the SSO session at the provider (unless `openUrl: false`). Resolves
   * with what happened at the provider: `not_supported` means its SSO session may still be alive.
   */
  async logout(options?: LogoutOptions): Promise<LogoutResult> {
    // Signed out here first, offline too: only the provider's part needs the rest of the SDK.
    const ended = await this.#ctx.endSession();
    return (await flows()).finishLogout(this.#ctx, ended, options);
  }

  /**
   * Revokes this client's refresh tokens at the provider's `revocation_endpoint` (RFC 7009)
   * and forgets them, in every tab; the cached access and ID tokens stay until they expire, and
   * later renewals go through the provider (or fail with `missing_refresh_token`).
   * @see https://datatracker.ietf.org/doc/html/rfc7009
   */
  async revokeRefreshToken(): Promise<void> {
    return (await flows()).revokeRefreshTokens(this.#ctx);
  }

  /** Ends this site's session in every tab without navigating: clears the cache, broadcasts, emits `signed_out`. */
  clearSession(reason: SignedOutReason): Promise<void> {
    return this.#ctx.clearSession(reason);
  }

  /**
   * What the latest session check (start-up, {@link checkSession}, or a top-level session check
   * coming back) found, with the typed error when it did not sign the user in; `undefined`
   * before the first.
   */
  get lastSessionCheck(): SessionCheckResult | undefined {
    return this.#ctx.lastSessionCheck;
  }

  /**
   * The name under which `sso-spa/session` keeps this client's shared session state (storage
   * key and channel): one per issuer and client, so two apps on one origin never share it.
   */
  get sessionKey(): string {
    return scopedName('session', this.#ctx.options.issuer, this.#ctx.options.clientId);
  }

  /** Listens to token, sign-out and renewal-failure events, in this tab and from the others. Returns the unsubscribe function. */
  subscribe(listener: (event: SsoClientEvent) => void): () => void {
    this.#ctx.connect();
    return this.#ctx.events.subscribe(listener);
  }
}

/**
 * Creates a client and runs {@link SsoClient.checkSession}, so the app knows whether the user
 * is signed in before it first renders. It rejects only for invalid options: whatever the
 * silent check meets (no session, a provider that cannot answer silently, a slow or unreachable
 * provider) the client resolves, signed out where it could not sign in, and
 * {@link SsoClient.lastSessionCheck} (and a `session_check` event) says what happened.
 */
export async function createSsoClient(options: SsoClientOptions): Promise<SsoClient> {
  const client = new SsoClient(options);
  try {
    await client.checkSession();
  } catch (error) {
    if (isSsoError(error, 'invalid_options')) throw error;
  }
  return client;
}
