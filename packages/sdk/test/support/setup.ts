import { SsoClient, type SsoClientEvent, type SsoClientOptions } from '../../src/index.js';
import { FakeBrowser, type FakeTab } from './fake-browser.js';
import { CLIENT_ID, FakeOp, type FakeOpOptions, ISSUER, REDIRECT_URI } from './fake-op.js';

export interface World {
  op: FakeOp;
  browser: FakeBrowser;
  tab: FakeTab;
  client: SsoClient;
  events: SsoClientEvent[];
  /** Another tab of the same site in the same browser. */
  openTab(options?: Partial<SsoClientOptions>): { tab: FakeTab; client: SsoClient; events: SsoClientEvent[] };
  /** Logs in through a redirect and the callback. */
  login(client?: SsoClient, tab?: FakeTab): Promise<void>;
}

export function world(options: Partial<SsoClientOptions> = {}, opOptions: Partial<FakeOpOptions> = {}): World {
  let browser: FakeBrowser | undefined;
  const op = new FakeOp({ now: () => browser?.time ?? 0, ...opOptions });
  browser = new FakeBrowser(op);
  const b = browser;
  const openTab = (more: Partial<SsoClientOptions> = {}) => {
    const tab = b.tab();
    const client = new SsoClient({
      issuer: ISSUER,
      clientId: CLIENT_ID,
      authorizationParams: { redirect_uri: REDIRECT_URI },
      ...options,
      ...more,
      platform: tab.platform,
    });
    const events: SsoClientEvent[] = [];
    client.subscribe((event) => events.push(event));
    return { tab, client, events };
  };
  const first = openTab();
  return {
    op,
    browser: b,
    ...first,
    openTab,
    async login(client = first.client, tab = first.tab) {
      await client.loginWithRedirect();
      const url = tab.navigations.at(-1) as string;
      tab.url = op.callbackUrl(url);
      await client.handleRedirectCallback();
    },
  };
}

/**
 * Lets queued microtasks (cross-tab messages) run. Only for work that is microtasks all the
 * way (the fake channel and storage are); where real async work (WebCrypto, a response body)
 * sits in between, wait for its effect instead: `browser.untilInFlight`, `untilRequested`,
 * `untilTimer`, `driveTimers` or `vi.waitFor`.
 */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
