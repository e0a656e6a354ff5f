import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type ProfileName, profiles } from './behaviour.js';
import type { DevClient, DevIdpOptions } from './config.js';

export const usage = `Usage: sso-spa-dev-idp [options]

Starts a development OpenID provider on loopback.

  --config <file.json>       options as JSON (the createDevIdp options, profile and
                             behaviour included); flags override it
  --profile <name>           provider behaviour profile: ${Object.keys(profiles).join(', ')}
  --port <n>                 port (default 4000; 0 picks a free one)
  --hostname <name>          issuer host name (default localhost; e.g. idp.localhost)
  --listen-host <addr>       address to bind (default 127.0.0.1)
  --idle <s>                 SSO idle timeout, sliding (default 300)
  --absolute <s>             SSO absolute cap since login (default 259200 = 3 days)
  --id-token-ttl <s>         ID token lifetime (default 150)
  --access-token-ttl <s>     access token lifetime (default 150)
  --refresh-token-ttl <s>    refresh token lifetime (default: until the absolute cap)
  --clock-tolerance <s>      clock tolerance for tokens (default 15)
  --refresh-extends-session  a refresh slides the SSO session (default off)
  --client <id>=<uri>[,<uri>...]  a public client and its redirect URIs (repeatable);
                             post-logout URIs and web origins default to the redirect origins
  --api <identifier>[=<scope> <scope>...]  an API whose access tokens are JWTs (repeatable)
  --introspection            enable GET/DELETE /dev/sessions
  --storage <file.json>      keep sessions, grants and keys in a file across restarts
  --help                     this text
`;

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new Error(`--${name} needs a whole number of seconds, got "${value}"`);
  return n;
}

function parseClient(spec: string): DevClient {
  const eq = spec.indexOf('=');
  if (eq < 1) throw new Error(`--client needs <id>=<redirect uri>[,<uri>...], got "${spec}"`);
  const redirectUris = spec
    .slice(eq + 1)
    .split(',')
    .map((uri) => uri.trim())
    .filter(Boolean);
  const origins = [...new Set(redirectUris.map((uri) => new URL(uri).origin))];
  return {
    clientId: spec.slice(0, eq),
    redirectUris,
    postLogoutRedirectUris: [...new Set([...origins, ...origins.map((origin) => `${origin}/`)])],
    webOrigins: origins,
  };
}

/** What a person gets with no configuration: one client for the usual dev-server ports. */
function defaultClients(): DevClient[] {
  const origins = ['http://localhost:3000', 'http://localhost:5173', 'http://localhost:8080'];
  return [
    {
      clientId: 'local-spa',
      name: 'Local single-page app',
      redirectUris: origins.flatMap((origin) => [origin, `${origin}/`, `${origin}/callback`]),
      postLogoutRedirectUris: origins.flatMap((origin) => [origin, `${origin}/`]),
      webOrigins: origins,
    },
  ];
}

export function optionsFromArgs(argv: string[]): DevIdpOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      profile: { type: 'string' },
      port: { type: 'string' },
      hostname: { type: 'string' },
      'listen-host': { type: 'string' },
      idle: { type: 'string' },
      absolute: { type: 'string' },
      'id-token-ttl': { type: 'string' },
      'access-token-ttl': { type: 'string' },
      'refresh-token-ttl': { type: 'string' },
      'clock-tolerance': { type: 'string' },
      'refresh-extends-session': { type: 'boolean' },
      client: { type: 'string', multiple: true },
      api: { type: 'string', multiple: true },
      introspection: { type: 'boolean' },
      storage: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const file: DevIdpOptions = values.config ? (JSON.parse(readFileSync(values.config, 'utf8')) as DevIdpOptions) : {};
  const options: DevIdpOptions = { port: 4000, ...file };
  const set = <K extends keyof DevIdpOptions>(key: K, value: DevIdpOptions[K] | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  set('port', integer('port', values.port));
  set('hostname', values.hostname);
  set('listenHost', values['listen-host']);
  set('sessionIdleSeconds', integer('idle', values.idle));
  set('sessionAbsoluteSeconds', integer('absolute', values.absolute));
  set('idTokenSeconds', integer('id-token-ttl', values['id-token-ttl']));
  set('accessTokenSeconds', integer('access-token-ttl', values['access-token-ttl']));
  set('refreshTokenSeconds', integer('refresh-token-ttl', values['refresh-token-ttl']));
  set('clockToleranceSeconds', integer('clock-tolerance', values['clock-tolerance']));
  set('refreshExtendsSession', values['refresh-extends-session']);
  set('introspection', values.introspection);
  if (values.profile !== undefined) {
    if (!(values.profile in profiles)) {
      throw new Error(`--profile must be one of ${Object.keys(profiles).join(', ')}, got "${values.profile}"`);
    }
    options.profile = values.profile as ProfileName;
  }
  if (values.storage) options.storage = { file: resolve(values.storage) };
  if (values.client?.length) options.clients = [...(options.clients ?? []), ...values.client.map(parseClient)];
  if (values.api?.length) {
    options.apis = [
      ...(options.apis ?? []),
      ...values.api.map((spec) => {
        const [identifier = '', scopes = ''] = spec.split('=');
        return { identifier, scopes: scopes.split(/[\s,]+/).filter(Boolean) };
      }),
    ];
  }
  if (!options.clients?.length) options.clients = defaultClients();
  return options;
}
