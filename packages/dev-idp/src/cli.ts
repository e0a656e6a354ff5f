#!/usr/bin/env node
import { optionsFromArgs, usage } from './cli-options.js';
import type { DevIdpOptions } from './config.js';

async function main(): Promise<void> {
  let options: DevIdpOptions | undefined;
  try {
    options = optionsFromArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    process.exitCode = 2;
    return;
  }
  if (!options) {
    process.stdout.write(usage);
    return;
  }
  // Imported late so --help and option errors print without oidc-provider's start-up notices.
  const { createDevIdp } = await import('./server.js');
  const idp = await createDevIdp(options);
  const base = idp.issuer.replace(/\/$/, '');
  const lines = [
    `sso-spa dev IdP listening on ${options.listenHost ?? '127.0.0.1'}:${idp.port}`,
    `  issuer     ${idp.issuer}`,
    `  discovery  ${base}/.well-known/openid-configuration`,
    options.profile ? `  profile    ${options.profile}` : '',
    `  session    idle ${options.sessionIdleSeconds ?? 300} s (sliding), absolute ${options.sessionAbsoluteSeconds ?? 259200} s`,
    '  users',
    ...idp.users.map((user) => `    ${user.email} / ${user.password}  (sub ${user.sub})`),
    '  clients',
    ...(options.clients ?? []).flatMap((client) => [
      `    ${client.clientId}`,
      ...client.redirectUris.map((uri) => `      redirect  ${uri}`),
    ]),
    ...(options.apis?.length
      ? ['  apis', ...options.apis.map((api) => `    ${api.identifier}  ${(api.scopes ?? []).join(' ')}`)]
      : []),
    options.introspection ? `  sessions   ${base}/dev/sessions` : '',
    'Press Ctrl+C to stop.',
  ];
  process.stdout.write(`${lines.filter(Boolean).join('\n')}\n`);
  const stop = (signal: string) => {
    process.stdout.write(`\n${signal}: stopping\n`);
    idp.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

await main();
