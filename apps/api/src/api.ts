import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { createRemoteJWKSet, type JWTPayload, errors as joseErrors, jwtVerify } from 'jose';
import { asymmetricAlgorithms, DpopError, NonceSource, ReplayCache, verifyDpopProof } from './dpop.js';

/** How the API checks DPoP proofs (RFC 9449). DPoP is always accepted; these tune the checks. */
export interface DemoApiDpopOptions {
  /** How far a proof's `iat` may be from the API's clock, either way, in seconds. Default 60. */
  proofMaxAgeSeconds?: number;
  /** Proof algorithms accepted, all asymmetric. Default `ES256 ES384 ES512 Ed25519 EdDSA PS256 PS384 PS512 RS256 RS384 RS512`. */
  algorithms?: string[];
  /**
   * Every proof must carry a nonce the API handed out: without one (or with an old one) the
   * answer is 401 `use_dpop_nonce` with the nonce in a `DPoP-Nonce` header. Default false.
   */
  requireNonce?: boolean;
  /** How long a nonce is handed out before the next one, in seconds; each is accepted for up to two periods. Default 300. */
  nonceSeconds?: number;
  /** How many proof `jti`s the replay cache holds at most; when full of live ones, new proofs are refused. Default 10000. */
  replayCacheSize?: number;
}

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
  /** DPoP proof checks; see {@link DemoApiDpopOptions}. */
  dpop?: DemoApiDpopOptions;
  /**
   * Origins this API is reached at: a DPoP proof's `htu` must be the request URL on one of
   * them (the request's own Host decides which). Default `http://api.localhost:<port>`,
   * `http://127.0.0.1:<port>` and `http://localhost:<port>`.
   */
  publicOrigins?: string[];
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
  /** The scheme the token came with, which any later challenge must use. */
  tokenScheme?: 'Bearer' | 'DPoP';
}

/** A refusal: the status, the `WWW-Authenticate` challenges and the JSON body. */
class Refusal extends Error {
  constructor(
    readonly scheme: 'Bearer' | 'DPoP',
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

/**
 * The demo's resource server: verifies access tokens with `jose` against the provider's JWKS
 * (signature, issuer, audience, expiry), as Bearer tokens or, when bound to a key (`cnf.jkt`),
 * as DPoP tokens with a proof of that key (RFC 9449). Errors are RFC 6750 / RFC 9449
 * challenges in `WWW-Authenticate`, with a JSON body people can read.
 */
export async function startDemoApi(options: DemoApiOptions): Promise<DemoApi> {
  const requiredScope = options.requiredScope ?? 'read:messages';
  const jwks = createRemoteJWKSet(new URL(options.jwksUri ?? new URL('.well-known/jwks.json', withSlash(options.issuer))));
  const proofAlgorithms = options.dpop?.algorithms ?? asymmetricAlgorithms;
  const refusedAlgorithm = proofAlgorithms.find((alg) => !asymmetricAlgorithms.includes(alg));
  if (refusedAlgorithm) throw new TypeError(`dpop.algorithms: ${refusedAlgorithm} is not an asymmetric JWS algorithm`);
  const proofMaxAgeSeconds = options.dpop?.proofMaxAgeSeconds ?? 60;
  const requireNonce = options.dpop?.requireNonce ?? false;
  const nonces = new NonceSource(options.dpop?.nonceSeconds ?? 300);
  const replays = new ReplayCache(options.dpop?.replayCacheSize ?? 10_000);
  const algs = proofAlgorithms.join(' ');
  let publicOrigins: string[] = [];
  const nowSeconds = () => Math.floor(Date.now() / 1000);
  const app = express();
  app.disable('x-powered-by');

  app.use((req, res, next) => {
    const origin = req.headers.origin;
    if (origin && options.allowedOrigins.includes(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-allow-headers', 'authorization, dpop');
      // Scripts must read a nonce challenge and the reason for a refusal.
      res.setHeader('access-control-expose-headers', 'DPoP-Nonce, WWW-Authenticate');
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

  const verifyAccessToken = async (token: string, scheme: 'Bearer' | 'DPoP'): Promise<JWTPayload> => {
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
      });
      return payload;
    } catch (error) {
      const description =
        error instanceof joseErrors.JWTExpired
          ? 'The access token has expired.'
          : error instanceof joseErrors.JWTClaimValidationFailed
            ? `The access token's "${error.claim}" claim is not accepted here.`
            : 'The access token could not be verified.';
      throw new Refusal(scheme, 'invalid_token', description);
    }
  };

  /** RFC 9449 §7.1: the proof, then its key against the token's `cnf.jkt`, the nonce, and last the replay check. */
  const checkDpop = async (req: Request, res: Response, token: string, payload: JWTPayload): Promise<void> => {
    const proofs = req.headers.dpop;
    // Node joins repeated headers with a comma, which no JWT contains.
    if (typeof proofs !== 'string' || proofs.includes(',')) {
      throw new Refusal('DPoP', 'invalid_dpop_proof', 'Send exactly one DPoP proof in the DPoP header.');
    }
    const host = req.headers.host ?? '';
    const origin = `${req.protocol}://${host}`;
    if (!publicOrigins.includes(origin)) {
      throw new Refusal('DPoP', 'invalid_dpop_proof', `This API does not answer at ${origin}.`);
    }
    const now = nowSeconds();
    let proof: Awaited<ReturnType<typeof verifyDpopProof>>;
    try {
      proof = await verifyDpopProof(proofs, {
        method: req.method,
        url: `${origin}${req.originalUrl}`,
        accessToken: token,
        now,
        maxAgeSeconds: proofMaxAgeSeconds,
        algorithms: proofAlgorithms,
      });
    } catch (error) {
      if (error instanceof DpopError) throw new Refusal('DPoP', error.code, error.message);
      throw error;
    }
    const jkt = (payload.cnf as { jkt?: unknown } | undefined)?.jkt;
    if (proof.thumbprint !== jkt) {
      throw new Refusal('DPoP', 'invalid_token', 'The access token is bound to another key than the DPoP proof.');
    }
    if (requireNonce) {
      if (!nonces.accepts(proof.nonce, now)) {
        res.setHeader('dpop-nonce', nonces.current(now));
        throw new Refusal('DPoP', 'use_dpop_nonce', 'Make a new DPoP proof with the nonce in the DPoP-Nonce header.');
      }
      // A nonce about to go: hand out the next one with the answer (RFC 9449 §8.2).
      if (proof.nonce !== nonces.current(now)) res.setHeader('dpop-nonce', nonces.current(now));
    }
    if (!replays.use(proof.jti, proof.iat + proofMaxAgeSeconds, now)) {
      throw new Refusal('DPoP', 'invalid_dpop_proof', 'This DPoP proof was used before: make a new one for every request.');
    }
  };

  const authenticate = async (req: VerifiedRequest, res: Response, next: NextFunction) => {
    try {
      const match = /^(Bearer|DPoP) ([A-Za-z0-9._~+/-]+=*)$/.exec(req.headers.authorization ?? '');
      if (!match) {
        throw new Refusal(
          'Bearer',
          'invalid_request',
          'Send an access token in the Authorization header: "Bearer <token>", or "DPoP <token>" with a DPoP proof.',
        );
      }
      const [, scheme, token = ''] = match;
      // Without a proof there is nothing to check the token against: refuse before verifying it.
      if (scheme === 'DPoP' && req.headers.dpop === undefined) {
        throw new Refusal('DPoP', 'invalid_dpop_proof', 'A DPoP access token needs a DPoP proof in the DPoP header.');
      }
      const payload = await verifyAccessToken(token, scheme === 'DPoP' ? 'DPoP' : 'Bearer');
      const bound = (payload.cnf as { jkt?: unknown } | undefined)?.jkt !== undefined;
      if (scheme === 'Bearer' && bound) {
        // RFC 9449 §7.2: a key-bound token is never accepted as a bearer token.
        throw new Refusal(
          'DPoP',
          'invalid_token',
          'This access token is bound to a key: send it as "DPoP <token>" with a DPoP proof.',
        );
      }
      if (scheme === 'DPoP') {
        if (!bound)
          throw new Refusal('DPoP', 'invalid_token', 'This access token is not bound to a key: send it as "Bearer <token>".');
        await checkDpop(req, res, token, payload);
      }
      req.token = payload;
      req.tokenScheme = bound ? 'DPoP' : 'Bearer';
      next();
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      unauthorized(res, error, algs);
    }
  };

  app.get('/api/health', (_req, res) => {
    res.json({ ok: true });
  });

  app.get('/api/messages', authenticate, (req: VerifiedRequest, res) => {
    const scopes = String(req.token?.scope ?? '').split(' ');
    if (!scopes.includes(requiredScope)) {
      const algsParameter = req.tokenScheme === 'DPoP' ? `, algs="${algs}"` : '';
      res.setHeader(
        'www-authenticate',
        `${req.tokenScheme ?? 'Bearer'} error="insufficient_scope", scope="${requiredScope}"${algsParameter}`,
      );
      res.status(403).json({ error: 'insufficient_scope', error_description: `This call needs the "${requiredScope}" scope.` });
      return;
    }
    const jkt = (req.token?.cnf as { jkt?: unknown } | undefined)?.jkt;
    res.json({
      sub: req.token?.sub,
      scope: req.token?.scope,
      expiresAt: req.token?.exp,
      // How the token came: a DPoP token only gets here with a valid proof by the key it names.
      tokenType: req.tokenScheme,
      ...(typeof jkt === 'string' ? { jkt } : {}),
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
  publicOrigins = options.publicOrigins ?? [
    `http://api.localhost:${port}`,
    `http://127.0.0.1:${port}`,
    `http://localhost:${port}`,
  ];
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

/**
 * 401 with the challenge of the scheme at fault. Without usable credentials at all both
 * schemes are offered, so a client learns it may use DPoP and with which algorithms.
 */
function unauthorized(res: Response, refusal: Refusal, algs: string): void {
  const { scheme, error, description } = refusal;
  const details = `error="${error}", error_description="${description.replaceAll('"', "'")}"`;
  const challenges =
    scheme === 'DPoP'
      ? [`DPoP ${details}, algs="${algs}"`]
      : error === 'invalid_request'
        ? [`Bearer ${details}`, `DPoP algs="${algs}"`]
        : [`Bearer ${details}`];
  res.setHeader('www-authenticate', challenges);
  res.status(401).json({ error, error_description: description });
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
