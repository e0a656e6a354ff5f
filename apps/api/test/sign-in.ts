import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { DevIdp } from 'sso-spa-dev-idp';

/**
 * One request to a loopback server with the URL's own Host header (Node's fetch neither
 * resolves `*.localhost` nor lets a Host header through, and the IdP builds its URLs from it).
 */
export function loopbackRequest(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Headers; text: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: init.method ?? 'GET',
        headers: { ...init.headers, host: target.host },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, item);
          }
          resolve({ status: res.statusCode ?? 0, headers, text: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

/**
 * Signs alice in at the dev IdP as a browser would (authorization request, login form,
 * redirects with the IdP's cookies) and returns the code the callback receives, with the PKCE
 * verifier to redeem it.
 */
export async function signIn(
  idp: DevIdp,
  params: { clientId: string; redirectUri: string; scope: string; audience: string },
): Promise<{ code: string; verifier: string }> {
  const cookies = new Map<string, string>();
  const go = async (url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) => {
    const cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await loopbackRequest(url, { ...init, headers: { ...init.headers, ...(cookie ? { cookie } : {}) } });
    for (const header of response.headers.getSetCookie()) {
      const [pair = ''] = header.split(';');
      const eq = pair.indexOf('=');
      const value = pair.slice(eq + 1);
      if (value) cookies.set(pair.slice(0, eq), value);
      else cookies.delete(pair.slice(0, eq));
    }
    return response;
  };
  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URL('authorize', idp.issuer);
  authorize.search = new URLSearchParams({
    client_id: params.clientId,
    redirect_uri: params.redirectUri,
    response_type: 'code',
    scope: params.scope,
    audience: params.audience,
    state: randomBytes(8).toString('hex'),
    nonce: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();

  let url = authorize.href;
  let response = await go(url);
  for (let hops = 0; hops < 10; hops++) {
    const location = response.headers.get('location');
    if (location) {
      const next = new URL(location, url);
      if (next.origin !== new URL(idp.issuer).origin) {
        const code = next.searchParams.get('code');
        if (!code) throw new Error(`no code at the callback: ${next.href}`);
        return { code, verifier };
      }
      url = next.href;
      response = await go(url);
      continue;
    }
    const action = /<form method="post" action="([^"]+)"/.exec(response.text)?.[1];
    if (!action) throw new Error(`neither a redirect nor a login form: ${response.status} ${response.text.slice(0, 200)}`);
    url = new URL(action.replaceAll('&amp;', '&'), url).href;
    response = await go(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ login: 'alice@example.com', password: 'wonderland' }).toString(),
    });
  }
  throw new Error('too many redirects');
}
