import { createPublicKey, type JsonWebKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type DevIdpFaults, rewriteResponseBody } from '../src/index.js';
import { Agent, authorize, decodeJwt, exchangeCode, startIdp } from './helpers.js';

describe('fault injection seam', { timeout: 20_000 }, () => {
  it('can answer for the IdP, and rewrite a token response with an ID token re-signed by the IdP key', async () => {
    let mode: 'pass' | 'fail' | 'rewrite' = 'pass';
    const faults: DevIdpFaults =
      (handler, { signJwt }) =>
      (req, res) => {
        if (req.url?.startsWith('/oauth/token') && mode === 'fail') {
          res.writeHead(502, { 'content-type': 'text/html' });
          res.end('<html>bad gateway</html>');
          return;
        }
        if (req.url?.startsWith('/oauth/token') && mode === 'rewrite') {
          rewriteResponseBody(res, (body) => {
            const json = JSON.parse(body) as { id_token: string };
            const claims = decodeJwt(json.id_token);
            return JSON.stringify({ ...json, id_token: signJwt({ ...claims, aud: 'someone-else' }) });
          });
        }
        return handler(req, res);
      };
    const idp = await startIdp({ faults });
    try {
      const agent = new Agent(idp);
      mode = 'fail';
      const failed = await agent.fetch('oauth/token', { method: 'POST', body: '' });
      expect(failed.status).toBe(502);

      mode = 'rewrite';
      const { status, json } = await exchangeCode(agent, await authorize(agent, idp));
      expect(status).toBe(200);
      expect(decodeJwt(json.id_token)).toMatchObject({ aud: 'someone-else', sub: 'alice', iss: idp.issuer });
      // The forged token verifies against the IdP's published key.
      const jwks = (await (await agent.fetch('.well-known/jwks.json')).json()) as { keys: Record<string, unknown>[] };
      const [header, payload, signature] = json.id_token!.split('.') as [string, string, string];
      const kid = (JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid: string }).kid;
      const jwk = jwks.keys.find((key) => key.kid === kid)!;
      const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
      expect(verify('sha256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url'))).toBe(true);
    } finally {
      await idp.close();
    }
  });
});
