/**
 * What a page needs only when the user acts (logs in or out, opens a popup) or on the callback
 * page. The client loads it with `import()` on first use, so a page load that signs the user in
 * silently, or answers from the cache, never downloads it.
 */
export { completeCallback, popupLogin, redirectToProvider } from './login.js';
export { finishLogout } from './logout.js';
export { fetchWithToken, revokeRefreshTokens, tokenWithPopup, userInfo } from './on-demand.js';
export { takeCallback, transactionsOf } from './redirect-transactions.js';
export { handOverSilentResponse } from './silent-frame.js';
export { claimSilentRedirect } from './silent-redirect-guard.js';
