// Typical usage of @auth0/auth0-spa-js, as in its README: the same steps as entries/sso-spa.ts.
import { createAuth0Client } from '@auth0/auth0-spa-js';

const client = await createAuth0Client({
  domain: 'idp.example.com',
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
