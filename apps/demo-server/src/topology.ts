import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startDemoApi } from '@sso-spa/api';
import { type LoopbackServer, listenOnLoopback, staticSite } from '@sso-spa/testkit';
import { createDevIdp, type ProfileName, type ProviderBehaviour } from 'sso-spa-dev-idp';

/** The workflow's timings. `npm start` uses the defaults; tests compress them. */
export interface DemoTimings {
  ssoIdleSeconds: number;
  ssoAbsoluteSeconds: number;
  tokenSeconds: number;
  warnBeforeSeconds: number;
}

export const defaultTimings: DemoTimings = {
  ssoIdleSeconds: 300,
  ssoAbsoluteSeconds: 3 * 24 * 3600,
  tokenSeconds: 150,
  warnBeforeSeconds: 60,
};
/** `npm start -- --fast`: short enough to watch the warning appear. */
export const fastTimings: DemoTimings = { ssoIdleSeconds: 40, ssoAbsoluteSeconds: 3600, tokenSeconds: 20, warnBeforeSeconds: 15 };

export interface DemoPorts {
  idp: number;
  siteA: number;
  siteB: number;
  api: number;
}

export interface DemoOptions {
  timings?: DemoTimings;
  /** 0 for ephemeral ports (tests); fixed ports for people. */
  ports?: DemoPorts;
  /** The dev IdP's clock tolerance; tests use 0 so compressed timeouts are exact. */
  clockToleranceSeconds?: number;
  useRefreshTokens?: boolean;
  /** Lets the dev IdP's introspection endpoint answer (tests and the demo's timeline). */
  introspection?: boolean;
  /** Runs the dev IdP with a provider behaviour profile, to try the demo against another kind of provider. */
  profile?: ProfileName;
  /** Provider behaviour flags over the profile's. */
  behaviour?: Partial<ProviderBehaviour>;
  /**
   * The site that shows sender-constrained tokens: its client uses DPoP (the dev IdP requires
   * it of that client) and checks ID token signatures; the other site uses Bearer tokens.
   * Default `'a'`; `'none'` runs both with Bearer tokens.
   */
  dpopSite?: DemoSite | 'none';
}

export type DemoSite = 'a' | 'b';

export interface Demo {
  issuer: string;
  siteA: string;
  siteB: string;
  api: string;
  audience: string;
  /** The site whose tokens are DPoP-bound (see {@link DemoOptions.dpopSite}). */
  dpopSite: DemoSite | 'none';
  user: { email: string; password: string; name: string };
  idp: Awaited<ReturnType<typeof createDevIdp>>;
  close(): Promise<void>;
}

export const audience = 'https://api.example';
export const apiScope = 'read:messages';
export const demoUser = { sub: 'alice', email: 'alice@example.com', password: 'wonderland', name: 'Alice Liddell' };

const siteDist = (site: 'a' | 'b') => fileURLToPath(new URL(`../../site-${site}/dist/`, import.meta.url));

/** Fails at once, naming the port, instead of half-starting the demo. */
export async function assertPortFree(port: number, what: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `Port ${port} (${what}) is already in use: stop what uses it, or choose other ports (see README).`
            : `Cannot listen on 127.0.0.1:${port} (${what}): ${error.message}`,
        ),
      ),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

/**
 * Starts the dev IdP, the API and both sites on loopback under distinct `*.localhost` names,
 * so that the sites are cross-site to each other and to the IdP, as in production.
 */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const timings = options.timings ?? defaultTimings;
  const dpopSite = options.dpopSite ?? 'a';
  if (!['a', 'b', 'none'].includes(dpopSite)) throw new Error(`dpopSite must be a, b or none, not "${dpopSite}"`);
  const ports = options.ports ?? { idp: 0, siteA: 0, siteB: 0, api: 0 };
  await assertPortFree(ports.idp, 'identity provider');
  await assertPortFree(ports.siteA, 'site A');
  await assertPortFree(ports.siteB, 'site B');
  await assertPortFree(ports.api, 'API');

  const started: Array<{ close(): Promise<void> }> = [];
  const close = async () => {
    await Promise.allSettled(started.reverse().map((part) => part.close()));
  };
  try {
    // Sites first: their origins (with the real ports) go into the IdP's client registrations.
    let configA = '';
    let configB = '';
    const siteA = await serveSite('app-a.localhost', 'a', () => configA, ports.siteA);
    started.push(siteA);
    const siteB = await serveSite('app-b.localhost', 'b', () => configB, ports.siteB);
    started.push(siteB);

    const client = (site: DemoSite, origin: string) => ({
      clientId: `site-${site}`,
      redirectUris: [`${origin}/callback`],
      postLogoutRedirectUris: [`${origin}/`],
      webOrigins: [origin],
      // The DPoP site's client never gets a Bearer token, so a page that lost its key cannot fall back to one.
      requireDpop: site === dpopSite,
    });
    const idp = await createDevIdp({
      port: ports.idp,
      hostname: 'idp.localhost',
      sessionIdleSeconds: timings.ssoIdleSeconds,
      sessionAbsoluteSeconds: timings.ssoAbsoluteSeconds,
      idTokenSeconds: timings.tokenSeconds,
      accessTokenSeconds: timings.tokenSeconds,
      clockToleranceSeconds: options.clockToleranceSeconds ?? 0,
      clients: [client('a', siteA.origin), client('b', siteB.origin)],
      apis: [{ identifier: audience, scopes: [apiScope] }],
      users: [demoUser],
      introspection: options.introspection ?? true,
      profile: options.profile,
      behaviour: options.behaviour,
    });
    started.push(idp);

    const api = await startDemoApi({
      issuer: idp.issuer,
      jwksUri: `http://127.0.0.1:${idp.port}/.well-known/jwks.json`,
      audience,
      allowedOrigins: [siteA.origin, siteB.origin],
      requiredScope: apiScope,
      port: ports.api,
    });
    started.push(api);

    const siteConfig = (siteName: string, site: DemoSite, other: { name: string; url: string }) =>
      JSON.stringify({
        siteName,
        issuer: idp.issuer,
        clientId: `site-${site}`,
        audience,
        scope: `openid profile email offline_access ${apiScope}`,
        apiOrigin: api.origin,
        otherSite: other,
        useRefreshTokens: options.useRefreshTokens ?? true,
        useDpop: site === dpopSite,
        verifyIdTokenSignature: site === dpopSite,
        session: {
          ssoIdleTimeoutSeconds: timings.ssoIdleSeconds,
          ssoAbsoluteTimeoutSeconds: timings.ssoAbsoluteSeconds,
          warnBeforeSeconds: timings.warnBeforeSeconds,
        },
      });
    configA = siteConfig('Site A', 'a', { name: 'Site B', url: siteB.origin });
    configB = siteConfig('Site B', 'b', { name: 'Site A', url: siteA.origin });

    return {
      issuer: idp.issuer,
      siteA: siteA.origin,
      siteB: siteB.origin,
      api: api.origin,
      audience,
      dpopSite,
      user: demoUser,
      idp,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

async function serveSite(host: string, site: 'a' | 'b', config: () => string, port: number): Promise<LoopbackServer> {
  const files = staticSite({ root: siteDist(site) });
  return listenOnLoopback(
    host,
    (req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/config.json') {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(config());
        return;
      }
      // Every path that is not a built file is the SPA itself, so deep links like /orders work.
      if (!/\.[a-z0-9]+$/i.test(path)) req.url = '/index.html';
      return files(req, res);
    },
    port,
  );
}
