// The Koa context and middleware as this package's routes see them, on top of oidc-provider's
// own types (@types/oidc-provider). They stay private: nothing in the public surface of
// sso-spa-dev-idp mentions them, so its users need no oidc-provider types.
import type { KoaContextWithOIDC, OIDCContext } from 'oidc-provider';

/** `KoaContextWithOIDC` with every member but `oidc`; a mapped type, as `Omit` would drop Koa's named members. */
type WithoutOidc = { [K in keyof KoaContextWithOIDC as K extends 'oidc' ? never : K]: KoaContextWithOIDC[K] };

/**
 * The context of middleware added with `provider.use`. @types/oidc-provider has `oidc` always
 * there, but oidc-provider sets it only on its own routes, and only once they run: the login
 * page, `/v2/logout` and `/dev/sessions` never see it, and other middleware only after `next()`.
 */
export type KoaContext = WithoutOidc & { oidc?: OIDCContext };

export type KoaMiddleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;
