import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { createRemoteJWKSet, type JWTPayload, errors as joseErrors, jwtVerify } from 'jose';

export interface DemoApiOptions {
  /** The provider's issuer, exactly as it appears in `iss` (the dev IdP's has a trailing slash). */
  issuer: string;
  /** The API identifier that access tokens must carry in `aud`. */
  audience: string;
  /** Browser origins allowed to call the API (CORS); nobody else gets CORS headers. */
  allowedOrigins: string[];
  /**
   * Where to fetch the provider's keys; `<issuer>.well-known/jwks.json` by default. Node does
   * not resolve `*.localhost` names the way browsers do, so the demo passes a 127.0.0.1 URL.
   */
  jwksUri?: string;
  /** The scope that `/api/messages` requires. */
  requiredScope?: string;
  port?: number;
  host?: string;
}

export interface DemoApi {
  origin: string;
  port: number;
  close(): Promise<void>;
}

interface VerifiedRequest extends Request {
  token?: JWTPayload;
}

/**
 * The demo's resource server: verifies bearer tokens with `jose` against the provider's
 * JWKS (signature, issuer, audience, expiry) and answers RFC 6750 errors in the
 * `WWW-Authenticate` header as well as in a JSON body people can read.
 */
export async function startDemoApi(options: DemoApiOptions): Promise<DemoApi> {
  const requiredScope = options.requiredScope ?? 'read:messages';
  const jwks = createRemoteJWKSet(new URL(options.jwksUri ?? new URL('.well-known/jwks.json', withSlash(options.issuer))));
  const app = express();
  app.disable('x-powered-by');

  app.use((req, res, next) => {
    const origin = req.headers.origin;
    if (origin && options.allowedOrigins.includes(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-allow-headers', 'authorization');
      res.setHeader('access-control-allow-methods', 'GET');
      res.setHeader('access-control-max-age', '600');
    }
    res.setHeader('vary', 'origin');
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next();
  });

  const authenticate = async (req: VerifiedRequest, res: Response, next: NextFunction) => {
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(req.headers.authorization ?? '');
    if (!match) {
      unauthorized(res, 'invalid_request', 'Send an access token in the Authorization header: "Bearer <token>".');
      return;
    }
    try {
      const { payload } = await jwtVerify(match[1]!, jwks, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
      });
      req.token = payload;
      next();
    } catch (error) {
      const description =
        error instanceof joseErrors.JWTExpired
          ? 'The access token has expired.'
          : error instanceof joseErrors.JWTClaimValidationFailed
            ? `The access token's "${error.claim}" claim is not accepted here.`
            : 'The access token could not be verified.';
      unauthorized(res, 'invalid_token', description);
    }
  };

  app.get('/api/health', (_req, res) => {
    res.json({ ok: true });
  });

  app.get('/api/messages', authenticate, (req: VerifiedRequest, res) => {
    const scopes = String(req.token?.scope ?? '').split(' ');
    if (!scopes.includes(requiredScope)) {
      res.setHeader('www-authenticate', `Bearer error="insufficient_scope", scope="${requiredScope}"`);
      res.status(403).json({ error: 'insufficient_scope', error_description: `This call needs the "${requiredScope}" scope.` });
      return;
    }
    res.json({
      sub: req.token?.sub,
      scope: req.token?.scope,
      expiresAt: req.token?.exp,
      messages: [
        { id: 1, text: 'Hello from the API: your access token was verified against the provider’s keys.' },
        { id: 2, text: `Audience ${options.audience}, scope ${requiredScope}.` },
      ],
    });
  });

  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found' });
  });

  const server: Server = await new Promise((resolve, reject) => {
    const listening = app.listen(options.port ?? 0, options.host ?? '127.0.0.1', (error?: Error) =>
      error ? reject(error) : resolve(listening),
    );
    listening.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    origin: `http://api.localhost:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function unauthorized(res: Response, error: string, description: string): void {
  res.setHeader('www-authenticate', `Bearer error="${error}", error_description="${description.replaceAll('"', "'")}"`);
  res.status(401).json({ error, error_description: description });
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
