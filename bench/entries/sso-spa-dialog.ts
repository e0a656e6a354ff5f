// The whole session-warning dialog entry point (a custom element), measured on its own.
export * from 'sso-spa/dialog';
