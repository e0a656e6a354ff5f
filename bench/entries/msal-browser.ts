// Typical usage of @azure/msal-browser (v5), as in its docs: the same steps as entries/sso-spa.ts.
import { InteractionRequiredAuthError, PublicClientApplication } from '@azure/msal-browser';

const msal = new PublicClientApplication({
  auth: {
    clientId: 'bench-client',
    authority: 'https://idp.example.com/',
    knownAuthorities: ['idp.example.com'],
    redirectUri: `${location.origin}/callback`,
    postLogoutRedirectUri: location.origin,
  },
});
await msal.initialize();

const result = await msal.handleRedirectPromise();
if (result) {
  msal.setActiveAccount(result.account);
  history.replaceState(null, '', (result.state as string | undefined) ?? '/');
}

const account = msal.getActiveAccount() ?? msal.getAllAccounts()[0];
const scopes = ['openid', 'profile', 'https://api.example/read:messages'];
if (!account) {
  await msal.loginRedirect({ scopes, state: location.pathname });
} else {
  const token = await msal.acquireTokenSilent({ scopes, account }).catch(async (error: unknown) => {
    if (error instanceof InteractionRequiredAuthError) await msal.acquireTokenRedirect({ scopes, account });
    throw error;
  });
  const response = await fetch('https://api.example/messages', { headers: { authorization: `Bearer ${token.accessToken}` } });
  document.body.textContent = `${account.name}: ${response.status}`;
  document.querySelector('#logout')?.addEventListener('click', () => {
    void msal.logoutRedirect({ account });
  });
}
