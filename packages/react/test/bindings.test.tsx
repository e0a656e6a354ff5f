// @vitest-environment happy-dom
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { useEffect } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type NavigationExtender,
  type ReactSsoClient,
  type SessionSource,
  SsoProvider,
  useExtendOnNavigation,
  useSessionState,
  useSso,
  withAuthenticationRequired,
} from '../src/index.js';

type Listener = Parameters<ReactSsoClient['subscribe']>[0];

/** A stand-in for the network edge of a signed-in or signed-out client. */
function fakeClient(initial: { signedIn: boolean }) {
  let signedIn = initial.signedIn;
  const listeners = new Set<Listener>();
  const client = {
    checkSession: vi.fn(async () => {}),
    handleRedirectCallback: vi.fn(async () => {
      signedIn = true;
      return { appState: { targetUrl: '/orders?id=7' } };
    }),
    loginWithRedirect: vi.fn(async () => {}),
    logout: vi.fn(async (): Promise<{ provider: 'redirected' | 'not_supported' | 'skipped' }> => {
      signedIn = false;
      return { provider: 'redirected' };
    }),
    getTokenSilently: vi.fn(async () => 'access-token'),
    getUser: vi.fn(async () => (signedIn ? { sub: 'alice', name: 'Alice Liddell' } : undefined)),
    isAuthenticated: vi.fn(async () => signedIn),
    subscribe: vi.fn((listener: Listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    }),
  };
  const signOutElsewhere = () => {
    signedIn = false;
    for (const listener of listeners) listener({ type: 'signed_out', reason: 'ended_elsewhere', fromOtherTab: true });
  };
  const emit: Listener = (event) => {
    for (const listener of listeners) listener(event);
  };
  return { client: client as unknown as ReactSsoClient & typeof client, signOutElsewhere, emit };
}

function Profile() {
  const { isLoading, isAuthenticated, user, error } = useSso();
  if (isLoading) return <p>loading</p>;
  if (error) return <p>error {error.message}</p>;
  return <p>{isAuthenticated ? `signed in as ${user?.name}` : 'signed out'}</p>;
}

/** A page whose own mount effect (a passive one) runs `run`. */
function OnMount({ run }: { run: () => void }) {
  useEffect(run, [run]);
  return null;
}

function SessionStatus({ manager }: { manager: SessionSource<{ status: string }> }) {
  return <p>status {useSessionState(manager).status}</p>;
}

let logout: ReturnType<typeof useSso>['logout'] | undefined;
function LogoutCaller() {
  logout = useSso().logout;
  return null;
}

let getToken: (() => Promise<string>) | undefined;
function TokenCaller() {
  getToken = useSso().getAccessTokenSilently;
  return null;
}

afterEach(() => {
  cleanup();
  window.history.replaceState(null, '', '/');
});

describe('<SsoProvider> and useSso()', () => {
  it('handles the redirect callback, then deep links to appState.targetUrl', async () => {
    window.history.replaceState(null, '', '/callback?code=abc&state=xyz');
    const { client } = fakeClient({ signedIn: false });
    render(
      <SsoProvider client={client}>
        <Profile />
      </SsoProvider>,
    );
    expect(screen.getByText('loading')).toBeTruthy();
    await screen.findByText('signed in as Alice Liddell');
    expect(client.handleRedirectCallback).toHaveBeenCalledTimes(1);
    expect(client.checkSession).not.toHaveBeenCalled();
    expect(window.location.pathname + window.location.search).toBe('/orders?id=7');
  });

  it('checks the session silently when the URL is not a callback', async () => {
    const { client } = fakeClient({ signedIn: false });
    render(
      <SsoProvider client={client}>
        <Profile />
      </SsoProvider>,
    );
    await screen.findByText('signed out');
    expect(client.checkSession).toHaveBeenCalledTimes(1);
    expect(client.handleRedirectCallback).not.toHaveBeenCalled();
  });

  it('starts the silent check before the first paint, before any passive effect of the page runs', async () => {
    const { client } = fakeClient({ signedIn: false });
    let startedBeforePageEffect: boolean | undefined;
    render(
      <SsoProvider client={client}>
        <OnMount
          run={() => {
            startedBeforePageEffect = client.checkSession.mock.calls.length === 1;
          }}
        />
      </SsoProvider>,
    );
    await waitFor(() => expect(startedBeforePageEffect).toBeDefined());
    expect(startedBeforePageEffect).toBe(true);
  });

  it('follows the client when the session ends elsewhere', async () => {
    const { client, signOutElsewhere } = fakeClient({ signedIn: true });
    render(
      <SsoProvider client={client}>
        <Profile />
      </SsoProvider>,
    );
    await screen.findByText('signed in as Alice Liddell');
    act(() => signOutElsewhere());
    await screen.findByText('signed out');
  });

  it('shows a failed callback as an error, not as loading forever', async () => {
    window.history.replaceState(null, '', '/callback?code=abc&state=forged');
    const { client } = fakeClient({ signedIn: false });
    client.handleRedirectCallback.mockRejectedValueOnce(new Error('state mismatch'));
    render(
      <SsoProvider client={client}>
        <Profile />
      </SsoProvider>,
    );
    await screen.findByText('error state mismatch');
  });

  it('hands out access tokens through getAccessTokenSilently', async () => {
    const { client } = fakeClient({ signedIn: true });
    render(
      <SsoProvider client={client}>
        <TokenCaller />
      </SsoProvider>,
    );
    await waitFor(() => expect(getToken).toBeDefined());
    await expect(getToken!()).resolves.toBe('access-token');
  });
});

describe('withAuthenticationRequired', () => {
  it('does not start a login while a logout sends the browser to the provider', async () => {
    const { client, signOutElsewhere } = fakeClient({ signedIn: true });
    client.logout.mockImplementation(async () => {
      signOutElsewhere();
      return { provider: 'redirected' };
    });
    render(
      <SsoProvider client={client}>
        <LogoutCaller />
        <Orders />
      </SsoProvider>,
    );
    await screen.findByText('orders page');
    await act(() => logout!());
    expect(client.logout).toHaveBeenCalledTimes(1);
    expect(client.loginWithRedirect).not.toHaveBeenCalled();
  });

  it("hands the app the client's logout result, so it can say the provider's session may still be alive", async () => {
    const { client, signOutElsewhere } = fakeClient({ signedIn: true });
    client.logout.mockImplementation(async () => {
      signOutElsewhere();
      return { provider: 'not_supported' };
    });
    render(
      <SsoProvider client={client}>
        <LogoutCaller />
        <Orders />
      </SsoProvider>,
    );
    await screen.findByText('orders page');
    await expect(act(() => logout!())).resolves.toEqual({ provider: 'not_supported' });
    // The page stays (no provider logout to go to), so it must show the user signed out.
    await waitFor(() => expect(screen.queryByText('orders page')).toBeNull());
  });

  const Orders = withAuthenticationRequired(() => <p>orders page</p>, { onRedirecting: () => <p>redirecting</p> });

  it('sends a signed-out user to log in with the current path as the target', async () => {
    window.history.replaceState(null, '', '/orders?id=7#top');
    const { client } = fakeClient({ signedIn: false });
    render(
      <SsoProvider client={client}>
        <Orders />
      </SsoProvider>,
    );
    await waitFor(() => expect(client.loginWithRedirect).toHaveBeenCalledTimes(1));
    expect(client.loginWithRedirect).toHaveBeenCalledWith({ appState: { targetUrl: '/orders?id=7#top' } });
    expect(screen.getByText('redirecting')).toBeTruthy();
  });

  it.each<[string, (client: ReturnType<typeof fakeClient>) => Promise<void>]>([
    [
      'a top-level session check',
      async ({ client }) => {
        // What the SDK reports when checkSessionRedirect sends the page through the provider.
        Object.assign(client, { lastSessionCheck: { status: 'redirecting', at: 0 } });
      },
    ],
    [
      'its events do not end the loading',
      async ({ client, emit }) => {
        // What the SDK emits: the silent check found no session, then (after the DPoP key, say,
        // was read) it sends the page to the provider.
        emit({ type: 'session_check', status: 'signed_out', code: 'login_required', at: 0 });
        await new Promise((resolve) => setTimeout(resolve, 20));
        Object.assign(client, { lastSessionCheck: { status: 'redirecting', at: 0 } });
        emit({ type: 'session_check', status: 'redirecting', at: 0 });
      },
    ],
  ])('starts no login while the start-up check is on its way to the provider (%s)', async (_name, check) => {
    const fake = fakeClient({ signedIn: false });
    const { client } = fake;
    let checked = false;
    client.checkSession.mockImplementation(async () => {
      await check(fake);
      checked = true;
    });
    render(
      <SsoProvider client={client}>
        <Profile />
        <Orders />
      </SsoProvider>,
    );
    await waitFor(() => expect(checked).toBe(true));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(screen.getByText('loading')).toBeTruthy();
    expect(client.loginWithRedirect).not.toHaveBeenCalled();
  });

  it('does not send the user to the login form when the session ends while the page is open', async () => {
    const { client, signOutElsewhere } = fakeClient({ signedIn: true });
    const Page = withAuthenticationRequired(() => <p>orders page</p>, { onSessionEnded: () => <p>session ended</p> });
    render(
      <SsoProvider client={client}>
        <Page />
      </SsoProvider>,
    );
    await screen.findByText('orders page');
    act(() => signOutElsewhere());
    await screen.findByText('session ended');
    expect(client.loginWithRedirect).not.toHaveBeenCalled();
  });

  it('renders the page for a signed-in user', async () => {
    const { client } = fakeClient({ signedIn: true });
    render(
      <SsoProvider client={client}>
        <Orders />
      </SsoProvider>,
    );
    await screen.findByText('orders page');
    expect(client.loginWithRedirect).not.toHaveBeenCalled();
  });
});

describe('the default redirect callback', () => {
  it.each([
    'https://evil.example/x',
    '//evil.example',
    '/\\evil.example',
    'javascript:alert(1)',
    '/.//evil.example/x',
    '/%2E%2E//evil.example/x',
  ])('never leaves the site for appState.targetUrl %s', async (targetUrl) => {
    window.history.replaceState(null, '', '/callback?code=abc&state=xyz');
    const { client } = fakeClient({ signedIn: false });
    client.handleRedirectCallback.mockResolvedValueOnce({ appState: { targetUrl } });
    render(
      <SsoProvider client={client}>
        <Profile />
      </SsoProvider>,
    );
    await screen.findByText('signed out');
    expect(client.handleRedirectCallback).toHaveBeenCalledTimes(1);
    expect(window.location.pathname).toBe('/callback');
    expect(window.location.search).toBe('');
  });
});

describe('the default redirect callback on a host-like callback path', () => {
  it('ends signed in at / instead of an error when neither target nor current path is safe', async () => {
    const happyDOM = (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM;
    happyDOM.setURL(`${location.origin}//evil.example/callback?code=abc&state=xyz`);
    const { client } = fakeClient({ signedIn: false });
    client.handleRedirectCallback.mockImplementationOnce(async () => {
      client.isAuthenticated.mockResolvedValue(true);
      client.getUser.mockResolvedValue({ sub: 'alice', name: 'Alice Liddell' });
      return { appState: { targetUrl: '/.//evil.example/x' } };
    });
    render(
      <SsoProvider client={client}>
        <Profile />
      </SsoProvider>,
    );
    await screen.findByText('signed in as Alice Liddell');
    expect(window.location.href).toBe(`${location.origin}/`);
  });
});

describe('useSessionState', () => {
  it('re-renders when the session snapshot changes', async () => {
    let snapshot = { status: 'active' };
    const listeners = new Set<() => void>();
    const manager = {
      getSnapshot: () => snapshot,
      subscribe: (listener: () => void) => {
        listeners.add(listener);
        return () => {
          listeners.delete(listener);
        };
      },
    };
    render(<SessionStatus manager={manager} />);
    expect(screen.getByText('status active')).toBeTruthy();
    act(() => {
      snapshot = { status: 'warning' };
      for (const listener of listeners) listener();
    });
    expect(screen.getByText('status warning')).toBeTruthy();
  });
});

function Links({ session, navigate }: { session: NavigationExtender; navigate: (to: string) => void }) {
  const go = useExtendOnNavigation(session, navigate);
  return (
    <button type="button" onClick={() => go('/orders')}>
      Orders
    </button>
  );
}

describe('useExtendOnNavigation', () => {
  it('lets the session take the navigation through the provider when it asks to, else navigates as usual', () => {
    const navigate = vi.fn();
    let due = false;
    const taken: (string | undefined)[] = [];
    const session: NavigationExtender = {
      extendOnNavigation: (to) => {
        if (due) taken.push(to);
        return due;
      },
    };
    render(<Links session={session} navigate={navigate} />);
    screen.getByRole('button', { name: 'Orders' }).click();
    expect(navigate).toHaveBeenCalledWith('/orders');
    due = true;
    screen.getByRole('button', { name: 'Orders' }).click();
    expect(navigate).toHaveBeenCalledTimes(1);
    expect(taken).toEqual(['/orders']);
  });
});
