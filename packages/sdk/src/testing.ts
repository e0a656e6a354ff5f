/**
 * `sso-spa/testing`: the side-effect seam, for tests of apps built on the SDK. Pass a partial
 * {@link Platform} as the `platform` option of `createSsoClient` or `createSessionManager` to
 * replace the clock, timers, storage, channels, network or navigation; everything not given
 * stays the browser's.
 * @module sso-spa/testing
 */
export type { ChannelLike, NavigationRequest, Platform, StorageLike } from './platform.js';
export { createPlatform } from './platform.js';
export { MAX_TIMEOUT_MS } from './session/timer.js';
