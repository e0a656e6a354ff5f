// The React page of the Chromium test: a provider in Strict Mode, a home page with a popup
// login that then reads the ID token claims, and a protected /orders page whose
// onBeforeAuthentication saves a draft on the app's server before the login redirect.
import { StrictMode, useCallback, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { SsoProvider, useSso, withAuthenticationRequired } from '../../src/index.js';

const { issuer, origin } = (window as unknown as { testConfig: { issuer: string; origin: string } }).testConfig;

function Home() {
  const { isAuthenticated, user, loginWithPopup, getIdTokenClaims } = useSso();
  const [claims, setClaims] = useState('');
  const [failure, setFailure] = useState('');
  const logIn = () =>
    loginWithPopup()
      .then(() => getIdTokenClaims())
      .then((idToken) => setClaims(`sub=${idToken?.sub} iss=${idToken?.iss} raw=${idToken?.__raw ? 'yes' : 'no'}`))
      .catch((error: { code?: string }) => setFailure(String(error.code)));
  return (
    <main>
      <p id="status">{isAuthenticated ? `signed in as ${user?.email}` : 'signed out'}</p>
      <button id="popup-login" type="button" onClick={logIn}>
        Log in
      </button>
      <p id="claims">{claims}</p>
      <p id="failure">{failure}</p>
    </main>
  );
}

const Orders = withAuthenticationRequired(() => <p id="orders">your orders</p>, {
  onRedirecting: () => <p id="redirecting">redirecting</p>,
  onBeforeAuthentication: async () => {
    await fetch('/save-draft', { method: 'POST', body: 'draft' });
  },
});

function Routes({ path }: { path: string }) {
  const { isLoading } = useSso();
  if (isLoading) return <p id="status">loading</p>;
  return path === '/orders' ? <Orders /> : <Home />;
}

/** A two-route app: the redirect callback restores the deep link, as a router would. */
function App() {
  const [path, setPath] = useState(window.location.pathname);
  const onRedirectCallback = useCallback((appState: unknown) => {
    const target = (appState as { targetUrl?: string } | undefined)?.targetUrl ?? '/';
    window.history.replaceState(null, '', target);
    setPath(new URL(target, window.location.href).pathname);
  }, []);
  return (
    <SsoProvider
      issuer={issuer}
      clientId="site-a"
      authorizationParams={{ redirect_uri: `${origin}/callback` }}
      onRedirectCallback={onRedirectCallback}
    >
      <Routes path={path} />
    </SsoProvider>
  );
}

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
