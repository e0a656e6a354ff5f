import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSignedIn, expectTokenType, World } from './support/world.js';

const artifacts = fileURLToPath(new URL('./test-results/', import.meta.url));

// The demo as `npm start` runs it: the workflow's own figures (300 s SSO idle, 150 s tokens),
// third-party cookies allowed. Screenshots are kept as test artifacts.
describe('demo smoke test, default figures', () => {
  let world: World;
  beforeAll(async () => {
    world = await World.start({ label: 'demo', thirdPartyCookies: true }, 'default');
    await mkdir(artifacts, { recursive: true });
  });
  afterAll(async () => {
    await world?.close();
  });

  it('both sites load; login on A (DPoP); B signs in with no form; the API answers B (Bearer)', async () => {
    const a = await world.newTab('A');
    await a.goto(`${world.demo.siteA}/`);
    await expect.poll(() => a.getByTestId('signed-out').isVisible()).toBe(true);
    await a.getByRole('button', { name: 'Log in' }).click();
    await world.signIn(a);
    await expectSignedIn(a);
    await expectTokenType(a, 'DPoP');
    // The session panel shows the provider's idle timeout as the site knows it: about 5 minutes.
    await expect.poll(() => a.getByTestId('sso-deadline').textContent()).toMatch(/^[45] min/);
    await a.screenshot({ path: `${artifacts}demo-site-a.png` });

    const b = await world.newTab('B');
    await b.goto(`${world.demo.siteB}/api`);
    await expectSignedIn(b);
    await b.getByTestId('call-api').click();
    await expect
      .poll(() =>
        b
          .getByTestId('api-result')
          .textContent()
          .catch(() => ''),
      )
      .toContain('"sub": "alice"');
    expect(JSON.parse((await b.getByTestId('api-result').textContent()) ?? '{}')).toMatchObject({ tokenType: 'Bearer' });
    await b.screenshot({ path: `${artifacts}demo-site-b-api.png` });
    expect(world.loginForms).toHaveLength(1);
  });
});
