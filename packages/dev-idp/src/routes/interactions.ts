import type { IncomingMessage } from 'node:http';
import type { Interaction } from 'oidc-provider';
import type { DevUser } from '../config.js';
import type { KoaContext, KoaMiddleware } from '../oidc-types.js';
import { errorPage, loginPage, WRONG_PASSWORD } from '../views.js';
import type { RouteParts } from './parts.js';

async function readForm(req: IncomingMessage, limit = 64 * 1024): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw new Error('request body too large');
    chunks.push(buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function findUser(users: DevUser[], login: string): DevUser | undefined {
  const wanted = login.trim().toLowerCase();
  return users.find((user) => user.email.toLowerCase() === wanted || user.sub.toLowerCase() === wanted);
}

/** The login page and its form post, replacing oidc-provider's development interactions. */
export function interactionRoutes({ provider, config }: RouteParts): KoaMiddleware {
  const pattern = /^\/interaction\/([\w-]+)(\/login)?$/;

  async function clientName(details: Interaction): Promise<string> {
    const clientId = String(details.params.client_id ?? '');
    const client = await provider.Client.find(clientId);
    return client?.clientName ?? clientId;
  }

  async function finishConsent(ctx: KoaContext, details: Interaction): Promise<void> {
    // loadExistingGrant normally grants first-party clients everything up front; this is the
    // fallback if oidc-provider still asks, so the user never sees a consent screen.
    const accountId = details.session?.accountId;
    if (!accountId) throw new Error('consent without a signed-in user');
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    if (!grant) throw new Error('grant not found');
    const missingOIDC = details.prompt.details.missingOIDCScope;
    if (Array.isArray(missingOIDC)) grant.addOIDCScope(missingOIDC.join(' '));
    const missingResource = details.prompt.details.missingResourceScopes;
    if (missingResource && typeof missingResource === 'object') {
      for (const [resource, scopes] of Object.entries(missingResource)) {
        if (Array.isArray(scopes)) grant.addResourceScope(resource, scopes.join(' '));
      }
    }
    const grantId = await grant.save();
    const location = await provider.interactionResult(
      ctx.req,
      ctx.res,
      { consent: { grantId } },
      { mergeWithLastSubmission: true },
    );
    ctx.status = 303;
    ctx.redirect(location);
  }

  return async (ctx, next) => {
    const match = pattern.exec(ctx.path);
    if (!match) return next();
    const [, uid, login] = match;
    ctx.set('cache-control', 'no-store');
    // The login form is never framed (clickjacking); silent authentication never shows it.
    ctx.set('x-frame-options', 'DENY');
    ctx.set('content-security-policy', "frame-ancestors 'none'");
    try {
      const details = await provider.interactionDetails(ctx.req, ctx.res);
      if (details.uid !== uid) throw new Error('interaction mismatch');
      if (ctx.method === 'GET' && !login) {
        if (details.prompt.name !== 'login') return await finishConsent(ctx, details);
        ctx.type = 'html';
        ctx.body = loginPage({
          action: `/interaction/${details.uid}/login`,
          clientName: await clientName(details),
          users: config.users,
          login: typeof details.params.login_hint === 'string' ? details.params.login_hint : undefined,
        });
        return;
      }
      if (ctx.method === 'POST' && login) {
        const form = await readForm(ctx.req);
        const typed = form.get('login') ?? '';
        const user = findUser(config.users, typed);
        if (!user || user.password !== (form.get('password') ?? '')) {
          ctx.status = 200;
          ctx.type = 'html';
          ctx.body = loginPage({
            action: `/interaction/${details.uid}/login`,
            clientName: await clientName(details),
            users: config.users,
            login: typed,
            error: WRONG_PASSWORD,
          });
          return;
        }
        const location = await provider.interactionResult(
          ctx.req,
          ctx.res,
          { login: { accountId: user.sub, amr: ['pwd'] } },
          { mergeWithLastSubmission: false },
        );
        ctx.status = 303;
        ctx.redirect(location);
        return;
      }
      ctx.status = 405;
      ctx.body = 'method not allowed';
    } catch (error) {
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = errorPage({
        error: 'invalid_request',
        error_description: 'This sign-in request is no longer valid. Go back to the application and start again.',
        detail: error instanceof Error ? error.message : String(error),
      });
    }
  };
}
