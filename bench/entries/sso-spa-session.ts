// The whole session-management entry point (idle warning, cross-tab activity, sign-out in every
// tab), measured on its own: an app that uses it pays this on top of the core.
export * from 'sso-spa/session';
