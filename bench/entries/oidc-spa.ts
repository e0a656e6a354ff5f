// Typical usage of oidc-spa (framework-agnostic core), as in its README: the same steps as
// entries/sso-spa.ts. createOidc handles the redirect callback itself (the redirect URI is the app).
import { createOidc, oidcEarlyInit } from 'oidc-spa/core';

oidcEarlyInit({ BASE_URL: '/' });

const oidc = await createOidc({
  issuerUri: 'https://idp.example.com/',
  clientId: 'bench-client',
  extraQueryParams: { audience: 'https://api.example' },
});

if (!oidc.isUserLoggedIn) {
  await oidc.login({ doesCurrentHrefRequiresAuth: true });
} else {
  const { accessToken } = await oidc.getTokens();
  const { name } = oidc.getDecodedIdToken();
  const response = await fetch('https://api.example/messages', { headers: { authorization: `Bearer ${accessToken}` } });
  document.body.textContent = `${String(name)}: ${response.status}`;
  document.querySelector('#logout')?.addEventListener('click', () => {
    void oidc.logout({ redirectTo: 'home' });
  });
}
