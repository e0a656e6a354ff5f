// Typical usage of @okta/okta-auth-js, as in its README: the same steps as entries/sso-spa.ts.
import { OktaAuth } from '@okta/okta-auth-js';

const authClient = new OktaAuth({
  issuer: 'https://idp.example.com/',
  clientId: 'bench-client',
  redirectUri: `${location.origin}/callback`,
  postLogoutRedirectUri: location.origin,
  scopes: ['openid', 'profile', 'email'],
});

if (authClient.isLoginRedirect()) {
  await authClient.handleLoginRedirect();
}
await authClient.start();

if (!(await authClient.isAuthenticated())) {
  authClient.setOriginalUri(location.pathname);
  await authClient.signInWithRedirect();
} else {
  // Get a token silently: renew through the hidden iframe (or a refresh token) when it has expired.
  const stored = await authClient.tokenManager.getTokens();
  const accessToken =
    stored.accessToken && !authClient.tokenManager.hasExpired(stored.accessToken)
      ? stored.accessToken
      : await authClient.tokenManager.renew('accessToken');
  const user = await authClient.getUser();
  const response = await fetch('https://api.example/messages', {
    headers: { authorization: `Bearer ${(accessToken as { accessToken: string }).accessToken}` },
  });
  document.body.textContent = `${user.name}: ${response.status}`;
  document.querySelector('#logout')?.addEventListener('click', () => {
    void authClient.signOut();
  });
}
