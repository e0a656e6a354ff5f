import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type DevIdpHandler, type DevIdpOptions, type DevUser, resolveConfig } from './config.js';
import { loopbackSecureCookies } from './cookies.js';
import { generateCookieKeys, generateDpopNonceSecret, generateSigningKey, signJwt } from './keys.js';
import { buildProvider } from './provider.js';
import { afterProviderRoutes } from './routes/after-provider.js';
import { auth0LogoutRoute } from './routes/auth0-logout.js';
import { behaviourRoutes } from './routes/behaviour-routes.js';
import { devSessionRoutes } from './routes/dev-sessions.js';
import { endSessionAndGrants } from './routes/grants.js';
import { interactionRoutes } from './routes/interactions.js';
import { storageAccessRoutes } from './routes/storage-access.js';
import type { DevSession } from './session-info.js';
import { SessionClock } from './sessions.js';
import { Store } from './storage.js';

/** A running development IdP. */
export interface DevIdp {
  /**
   * `http://<hostname>:<port>/`, with the trailing slash Auth0 issuers have, or without it
   * when the behaviour `trailingSlashIssuer` is false. Discovery is at
   * `<issuer without trailing slash>/.well-known/openid-configuration` either way.
   */
  readonly issuer: string;
  readonly port: number;
  /** The configured test users (the default one when none were given). */
  readonly users: readonly DevUser[];
  /** Live SSO sessions with their deadlines (epoch seconds). Works whether or not `introspection` is on. */
  listSessions(): Promise<DevSession[]>;
  /** Ends a session and revokes the grants (refresh tokens included) it holds. False if it was gone already. */
  endSession(id: string): Promise<boolean>;
  /** Stops listening, drops open connections. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts a development OpenID provider on loopback.
 *
 * @example
 * const idp = await createDevIdp({ hostname: 'idp.localhost', clients: [{ clientId: 'site-a', redirectUris: ['http://app-a.localhost:3000/callback'] }] });
 */
export async function createDevIdp(options: DevIdpOptions = {}): Promise<DevIdp> {
  const config = resolveConfig(options);
  // The issuer contains the port, and the provider needs the issuer, so listen first and
  // install the real handler once the port is known.
  let handler: DevIdpHandler = (_req, res) => {
    res.statusCode = 503;
    res.end('starting');
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    new Promise<void>((resolve) => resolve(handler(req, res))).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(error instanceof Error ? error.message : 'internal error');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.listenHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://${config.hostname}:${port}${config.behaviour.trailingSlashIssuer ? '/' : ''}`;

  try {
    const store = new Store({ file: config.storageFile, clockToleranceSeconds: config.clockToleranceSeconds });
    const clock = new SessionClock(store, config.sessionIdleSeconds, config.sessionAbsoluteSeconds);
    const signingKey = await store.secret('jwks', generateSigningKey);
    const cookieKeys = await store.secret('cookieKeys', generateCookieKeys);
    // Stored like the other keys, so nonces handed out before a restart stay valid after it.
    const dpopNonceSecret = Buffer.from(await store.secret('dpopNonceSecret', generateDpopNonceSecret), 'base64url');
    const provider = buildProvider({ config, issuer, store, clock, signingKey, cookieKeys, dpopNonceSecret });
    const parts = { provider, config, store, clock };
    provider.use(loopbackSecureCookies(config.hostname));
    provider.use(storageAccessRoutes(parts));
    provider.use(behaviourRoutes(parts));
    provider.use(interactionRoutes(parts));
    provider.use(auth0LogoutRoute(parts));
    provider.use(devSessionRoutes(parts));
    provider.use(afterProviderRoutes(parts));
    const base: DevIdpHandler = provider.callback();
    // The fault-injection seam: a hook gets the whole handler and may alter requests and
    // responses, delay or drop them, before the browser or SDK sees them.
    handler = config.faults
      ? config.faults(base, { issuer, signJwt: (payload, header) => signJwt(signingKey, payload, header) })
      : base;

    let closed: Promise<void> | undefined;
    return {
      issuer,
      port,
      users: config.users,
      listSessions: async () => clock.list(),
      endSession: async (id) => endSessionAndGrants(store, id),
      close() {
        closed ??= new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        });
        return closed;
      },
    };
  } catch (error) {
    server.closeAllConnections();
    server.close();
    throw error;
  }
}
