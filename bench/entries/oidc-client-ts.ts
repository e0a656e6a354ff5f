// Typical usage of oidc-client-ts (UserManager), as in its docs: the same steps as entries/sso-spa.ts.
import { UserManager } from 'oidc-client-ts';

const manager = new UserManager({
  authority: 'https://idp.example.com/',
  client_id: 'bench-client',
  redirect_uri: `${location.origin}/callback`,
  silent_redirect_uri: `${location.origin}/silent-callback`,
  post_logout_redirect_uri: location.origin,
  scope: 'openid profile email',
  extraQueryParams: { audience: 'https://api.example' },
});

if (location.pathname === '/silent-callback') {
  await manager.signinSilentCallback();
} else {
  if (location.pathname === '/callback') {
    const signedIn = await manager.signinRedirectCallback();
    history.replaceState(null, '', (signedIn.state as { targetUrl?: string } | undefined)?.targetUrl ?? '/');
  }

  let user = await manager.getUser();
  if (!user) user = await manager.signinSilent().catch(() => null);
  if (!user) {
    await manager.signinRedirect({ state: { targetUrl: location.pathname } });
  } else {
    // Get a token silently: renew through the iframe (or a refresh token) when it has expired.
    if (user.expired) user = (await manager.signinSilent()) ?? user;
    const response = await fetch('https://api.example/messages', { headers: { authorization: `Bearer ${user.access_token}` } });
    document.body.textContent = `${user.profile.name}: ${response.status}`;
    document.querySelector('#logout')?.addEventListener('click', () => {
      void manager.signoutRedirect();
    });
  }
}
