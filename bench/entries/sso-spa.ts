// Typical usage of sso-spa: create the client (which checks for an SSO session silently), handle
// the redirect callback, sign in with a redirect, call an API with a token, show the user, log out.
import { createSsoClient } from 'sso-spa';

const client = await createSsoClient({
  issuer: 'https://idp.example.com/',
  clientId: 'bench-client',
  authorizationParams: { redirect_uri: `${location.origin}/callback`, audience: 'https://api.example' },
});

if (location.pathname === '/callback') {
  const { appState } = await client.handleRedirectCallback();
  history.replaceState(null, '', (appState as { targetUrl?: string } | undefined)?.targetUrl ?? '/');
}

if (!(await client.isAuthenticated())) {
  await client.loginWithRedirect({ appState: { targetUrl: location.pathname } });
} else {
  const token = await client.getTokenSilently();
  const user = await client.getUser();
  const response = await fetch('https://api.example/messages', { headers: { authorization: `Bearer ${token}` } });
  document.body.textContent = `${user?.name}: ${response.status}`;
  document.querySelector('#logout')?.addEventListener('click', () => {
    void client.logout({ logoutParams: { returnTo: location.origin } });
  });
}
