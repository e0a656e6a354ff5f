import { fileURLToPath } from 'node:url';
import { type LaunchedBrowser, type LoopbackServer, launchChromium, listenOnLoopback, staticSite } from '@sso-spa/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));

const page = `<!doctype html>
<meta charset="utf-8">
<title>script tag and ESM</title>
<script src="/dist/sso-spa.global.js"></script>
<script type="module">
  const esm = await import('/dist/index.js');
  window.result = {
    globalExports: Object.keys(window.SsoSpa).sort(),
    esmExports: Object.keys(esm).sort(),
    code: new window.SsoSpa.SsoError('timeout', 'x').code,
    sameClassShape: new esm.SsoError('timeout', 'x') instanceof Error,
  };
</script>`;

describe('the built SDK in Chromium', () => {
  let site: LoopbackServer;
  let browser: LaunchedBrowser;

  beforeAll(async () => {
    site = await listenOnLoopback('sdk.localhost', staticSite({ pages: { '/index.html': page }, mounts: { '/dist/': dist } }));
    browser = await launchChromium({ thirdPartyCookies: false });
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('defines window.SsoSpa with the same named exports as the ESM entry', async () => {
    const tab = await browser.context.newPage();
    await tab.goto(`${site.origin}/`);
    const result = await tab.waitForFunction(() => (window as unknown as { result?: unknown }).result).then((h) => h.jsonValue());
    expect(result).toMatchObject({ code: 'timeout', sameClassShape: true });
    const { globalExports, esmExports } = result as { globalExports: string[]; esmExports: string[] };
    expect(globalExports).toEqual(esmExports);
    expect(globalExports).toContain('SsoError');
    expect(new URL(tab.url()).hostname).toBe('sdk.localhost');
    await tab.close();
  });
});
