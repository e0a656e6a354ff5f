// `npm start`: the whole demo (dev IdP, site A, site B, API) on this machine, with the
// workflow's figures; `npm start -- --fast` compresses them to watch the idle warning appear;
// `npm start -- --profile NAME` runs the dev IdP as another kind of provider (see its README);
// `npm start -- --dpop-site b` (or `none`) moves DPoP-bound tokens from site A to site B (or off).
import { spawnSync } from 'node:child_process';

// The demo runs the built packages, as users install them. Build quietly; show the output
// only when something fails.
if (!process.argv.includes('--no-build')) {
  process.stdout.write('Building sso-spa, the dev IdP and the demo sites… ');
  const build = spawnSync('npm', ['run', 'build', '--silent'], { encoding: 'utf8' });
  if (build.status !== 0) {
    console.log('failed.');
    console.error(build.stdout, build.stderr);
    process.exit(1);
  }
  console.log('done.');
}

const { defaultTimings, fastTimings, startDemo } = await import('@sso-spa/demo-server');

const fast = process.argv.includes('--fast');
const profileAt = process.argv.indexOf('--profile');
const profile = profileAt === -1 ? undefined : process.argv[profileAt + 1];
const dpopAt = process.argv.indexOf('--dpop-site');
const dpopSite = dpopAt === -1 ? 'a' : process.argv[dpopAt + 1];
const port = (name, fallback) => Number(process.env[name] ?? fallback);
const ports = {
  idp: port('SSO_SPA_IDP_PORT', 4400),
  siteA: port('SSO_SPA_SITE_A_PORT', 3001),
  siteB: port('SSO_SPA_SITE_B_PORT', 3002),
  api: port('SSO_SPA_API_PORT', 4401),
};
const timings = fast ? fastTimings : defaultTimings;

let demo;
try {
  demo = await startDemo({ ports, timings, clockToleranceSeconds: fast ? 0 : 5, profile, dpopSite });
} catch (error) {
  console.error(`sso-spa demo: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}

const tokens = (site) => (demo.dpopSite === site ? 'DPoP-bound tokens, ID token signatures checked' : 'Bearer tokens');
console.log(`
sso-spa demo is running${fast ? ' (fast timings)' : ''}${profile ? ` (provider profile ${profile})` : ''}

  Site A      ${demo.siteA}/orders   ← start here (a protected deep link)
              ${tokens('a')}
  Site B      ${demo.siteB}/
              ${tokens('b')}
  API         ${demo.api}/api/messages
  Provider    ${demo.issuer}

  Sign in as  ${demo.user.email} / ${demo.user.password}
  Timings     SSO idle ${timings.ssoIdleSeconds} s · tokens ${timings.tokenSeconds} s · warning ${timings.warnBeforeSeconds} s before the SSO session idles out

Open the links in Chromium, Chrome, Edge or Firefox (they resolve *.localhost to this machine).
Press Ctrl-C to stop.
`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping the demo…');
  await demo.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
