// @vitest-environment happy-dom
// The auth0-react surface that sso-spa-react mirrors: popups, ID token claims, a callback the
// app handles itself, class components, onBeforeAuthentication, and React Strict Mode.
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { Component, type ReactNode, StrictMode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type ReactSsoClient,
  type SsoContextValue,
  SsoProvider,
  useSso,
  type WithAuth0Props,
  type WithSsoProps,
  withAuth0,
  withAuthenticationRequired,
  withSso,
} from '../src/index.js';

type Listener = Parameters<ReactSsoClient['subscribe']>[0];
const claims = { sub: 'alice', name: 'Alice Liddell', iss: 'https://idp.example', aud: 'app', __raw: 'id.token.raw' };

/** A stand-in for the network edge of a client; `listeners` shows what is still subscribed. */
function fakeClient(initial: { signedIn: boolean }) {
  let signedIn = initial.signedIn;
  const listeners = new Set<Listener>();
  const client = {
    checkSession: vi.fn(async () => {}),
    handleRedirectCallback: vi.fn(async (_url?: string) => {
      signedIn = true;
      return { appState: { targetUrl: '/orders' } };
    }),
    loginWithRedirect: vi.fn(async (_options?: unknown) => {}),
    loginWithPopup: vi.fn(async (_options?: unknown, _config?: unknown) => {
      signedIn = true;
    }),
    getTokenWithPopup: vi.fn(async (_options?: unknown, _config?: unknown) => {
      signedIn = true;
      return 'popup-access-token';
    }),
    getIdTokenClaims: vi.fn(async () => (signedIn ? claims : undefined)),
    revokeRefreshToken: vi.fn(async () => {}),
    logout: vi.fn(async () => {
      signedIn = false;
    }),
    getTokenSilently: vi.fn(async () => 'access-token'),
    getUser: vi.fn(async () => (signedIn ? { sub: 'alice', name: 'Alice Liddell' } : undefined)),
    isAuthenticated: vi.fn(async () => signedIn),
    subscribe: vi.fn((listener: Listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    }),
  };
  return { client: client as unknown as ReactSsoClient & typeof client, listeners };
}

let sso: SsoContextValue | undefined;
function Capture() {
  sso = useSso();
  const { isLoading, isAuthenticated, user } = sso;
  if (isLoading) return <p>loading</p>;
  return <p>{isAuthenticated ? `signed in as ${user?.name}` : 'signed out'}</p>;
}

class Greeting extends Component<WithSsoProps & { greeting: string }> {
  override render() {
    const { sso, greeting } = this.props;
    return <p>{sso.isAuthenticated ? `${greeting} ${sso.user?.name}` : 'nobody'}</p>;
  }
}
const WrappedGreeting = withSso(Greeting);

/** A class component written for auth0-react's withAuth0, unchanged but for the import. */
class Auth0Greeting extends Component<WithAuth0Props> {
  override render() {
    const { auth0 } = this.props;
    return <p>{auth0.isAuthenticated ? `auth0 prop: ${auth0.user?.name}` : 'auth0 prop: nobody'}</p>;
  }
}
const WrappedAuth0Greeting = withAuth0(Auth0Greeting);

/** Renders its children once the session is known. */
function WhenLoaded({ children }: { children: ReactNode }) {
  return useSso().isLoading ? null : children;
}

afterEach(() => {
  cleanup();
  sso = undefined;
  window.history.replaceState(null, '', '/');
});

describe('useSso() popups and claims', () => {
  it('loginWithPopup passes options and popup config through, then shows the user', async () => {
    const { client } = fakeClient({ signedIn: false });
    render(
      <SsoProvider client={client}>
        <Capture />
      </SsoProvider>,
    );
    await screen.findByText('signed out');
    const options = { authorizationParams: { scope: 'openid profile' } };
    const config = { timeoutInSeconds: 30 };
    await act(() => sso!.loginWithPopup(options, config));
    expect(client.loginWithPopup).toHaveBeenCalledWith(options, config);
    expect(screen.getByText('signed in as Alice Liddell')).toBeTruthy();
    await expect(sso!.getIdTokenClaims()).resolves.toMatchObject({ sub: 'alice', __raw: 'id.token.raw' });
  });

  it('calls the client synchronously, so the popup opens in the click task', async () => {
    const { client } = fakeClient({ signedIn: false });
    render(
      <SsoProvider client={client}>
        <Capture />
      </SsoProvider>,
    );
    await screen.findByText('signed out');
    let pending: Promise<void> | undefined;
    act(() => {
      pending = sso!.loginWithPopup();
      expect(client.loginWithPopup).toHaveBeenCalledTimes(1);
    });
    await act(() => pending!);
  });

  it('a failed popup rejects with the typed error and leaves the user signed out', async () => {
    const { client } = fakeClient({ signedIn: false });
    const closed = Object.assign(new Error('The user closed the popup'), { code: 'popup_closed' });
    client.loginWithPopup.mockRejectedValueOnce(closed);
    render(
      <SsoProvider client={client}>
        <Capture />
      </SsoProvider>,
    );
    await screen.findByText('signed out');
    await act(() => expect(sso!.loginWithPopup()).rejects.toBe(closed));
    expect(screen.getByText('signed out')).toBeTruthy();
  });

  it('getAccessTokenWithPopup returns the token and shows the session it started', async () => {
    const { client } = fakeClient({ signedIn: false });
    render(
      <SsoProvider client={client}>
        <Capture />
      </SsoProvider>,
    );
    await screen.findByText('signed out');
    const options = { authorizationParams: { audience: 'https://api.example' } };
    const config = { closePopup: false };
    let token: string | undefined;
    await act(async () => {
      token = await sso!.getAccessTokenWithPopup(options, config);
    });
    expect(token).toBe('popup-access-token');
    expect(client.getTokenWithPopup).toHaveBeenCalledWith(options, config);
    expect(screen.getByText('signed in as Alice Liddell')).toBeTruthy();
  });

  it('revokeRefreshToken revokes through the client and leaves the user signed in', async () => {
    const { client } = fakeClient({ signedIn: true });
    render(
      <SsoProvider client={client}>
        <Capture />
      </SsoProvider>,
    );
    await screen.findByText('signed in as Alice Liddell');
    await act(() => sso!.revokeRefreshToken());
    expect(client.revokeRefreshToken).toHaveBeenCalledTimes(1);
    expect(screen.getByText('signed in as Alice Liddell')).toBeTruthy();
  });

  it('getIdTokenClaims resolves undefined when signed out', async () => {
    const { client } = fakeClient({ signedIn: false });
    render(
      <SsoProvider client={client}>
        <Capture />
      </SsoProvider>,
    );
    await screen.findByText('signed out');
    await expect(sso!.getIdTokenClaims()).resolves.toBeUndefined();
  });
});

describe('redirect callback', () => {
  it('onRedirectCallback receives the appState and the user who signed in', async () => {
    window.history.replaceState(null, '', '/callback?code=abc&state=xyz');
    const { client } = fakeClient({ signedIn: false });
    const onRedirectCallback = vi.fn();
    render(
      <SsoProvider client={client} onRedirectCallback={onRedirectCallback}>
        <Capture />
      </SsoProvider>,
    );
    await waitFor(() => expect(onRedirectCallback).toHaveBeenCalledTimes(1));
    expect(onRedirectCallback).toHaveBeenCalledWith({ targetUrl: '/orders' }, { sub: 'alice', name: 'Alice Liddell' });
  });

  it('skipRedirectCallback leaves the callback to the app, which handles it with handleRedirectCallback(url)', async () => {
    window.history.replaceState(null, '', '/callback?code=abc&state=xyz');
    const { client } = fakeClient({ signedIn: false });
    render(
      <SsoProvider client={client} skipRedirectCallback>
        <Capture />
      </SsoProvider>,
    );
    await screen.findByText('signed out');
    expect(client.handleRedirectCallback).not.toHaveBeenCalled();
    const url = window.location.href;
    let result: unknown;
    await act(async () => {
      result = await sso!.handleRedirectCallback(url);
    });
    expect(client.handleRedirectCallback).toHaveBeenCalledWith(url);
    expect(result).toEqual({ appState: { targetUrl: '/orders' } });
    expect(screen.getByText('signed in as Alice Liddell')).toBeTruthy();
  });
});

describe('withSso (class components)', () => {
  it('injects useSso() as the sso prop and re-renders when the session changes', async () => {
    const { client } = fakeClient({ signedIn: false });
    render(
      <SsoProvider client={client}>
        <Capture />
        <WrappedGreeting greeting="hello" />
        <WrappedAuth0Greeting />
      </SsoProvider>,
    );
    await screen.findByText('nobody');
    expect(screen.getByText('auth0 prop: nobody')).toBeTruthy();
    await act(() => sso!.loginWithPopup());
    expect(screen.getByText('hello Alice Liddell')).toBeTruthy();
    expect(screen.getByText('auth0 prop: Alice Liddell')).toBeTruthy();
  });
});

describe('withAuthenticationRequired onBeforeAuthentication', () => {
  it('awaits onBeforeAuthentication before the login redirect', async () => {
    const { client } = fakeClient({ signedIn: false });
    let finish: (() => void) | undefined;
    const onBeforeAuthentication = vi.fn(
      () =>
        new Promise<void>((resolve) => {
          finish = resolve;
        }),
    );
    const Page = withAuthenticationRequired(() => <p>page</p>, { onBeforeAuthentication });
    render(
      <SsoProvider client={client}>
        <Page />
      </SsoProvider>,
    );
    await waitFor(() => expect(onBeforeAuthentication).toHaveBeenCalledTimes(1));
    expect(client.loginWithRedirect).not.toHaveBeenCalled();
    finish!();
    await waitFor(() => expect(client.loginWithRedirect).toHaveBeenCalledTimes(1));
  });

  it('does not redirect when onBeforeAuthentication rejects', async () => {
    const { client } = fakeClient({ signedIn: false });
    const onBeforeAuthentication = vi.fn(async () => {
      throw new Error('unsaved changes');
    });
    const Page = withAuthenticationRequired(() => <p>page</p>, { onBeforeAuthentication });
    render(
      <SsoProvider client={client}>
        <Page />
      </SsoProvider>,
    );
    await waitFor(() => expect(onBeforeAuthentication).toHaveBeenCalledTimes(1));
    // The rejection settles in a microtask after the call; once it has, no redirect followed.
    await act(async () => {
      await onBeforeAuthentication.mock.results[0]?.value.catch(() => {});
    });
    expect(client.loginWithRedirect).not.toHaveBeenCalled();
  });
});

describe('React Strict Mode', () => {
  it('starts once, redirects once, and leaves no client listener after unmount', async () => {
    const { client, listeners } = fakeClient({ signedIn: false });
    const onBeforeAuthentication = vi.fn(async () => {});
    const Page = withAuthenticationRequired(() => <p>page</p>, { onBeforeAuthentication });
    // Mounted once the session is known, so Strict Mode's doubled mount effects both see a
    // signed-out user.
    const view = render(
      <StrictMode>
        <SsoProvider client={client}>
          <WhenLoaded>
            <Page />
          </WhenLoaded>
        </SsoProvider>
      </StrictMode>,
    );
    await waitFor(() => expect(client.loginWithRedirect).toHaveBeenCalledTimes(1));
    expect(client.checkSession).toHaveBeenCalledTimes(1);
    expect(onBeforeAuthentication).toHaveBeenCalledTimes(1);
    // Strict Mode mounts, unmounts and remounts: exactly one listener is live while mounted.
    expect(listeners.size).toBe(1);
    view.unmount();
    expect(listeners.size).toBe(0);
  });

  it('handles a redirect callback once', async () => {
    window.history.replaceState(null, '', '/callback?code=abc&state=xyz');
    const { client } = fakeClient({ signedIn: false });
    render(
      <StrictMode>
        <SsoProvider client={client}>
          <Capture />
        </SsoProvider>
      </StrictMode>,
    );
    await screen.findByText('signed in as Alice Liddell');
    expect(client.handleRedirectCallback).toHaveBeenCalledTimes(1);
    expect(client.checkSession).not.toHaveBeenCalled();
  });
});
