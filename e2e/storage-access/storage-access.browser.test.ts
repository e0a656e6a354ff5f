import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Findings, runExperiment } from './experiment.js';
import { findingsTable } from './report.js';
import { startWorld, type World } from './topology.js';

// The Storage Access experiment (docs/storage-access.md): Chromium with third-party cookies
// blocked, the dev IdP with `storageAccess: true`. It records everything it measures in
// e2e/test-results/storage-access-findings.{json,md} and asserts the flow the opt-in relies
// on; what is Chromium's policy rather than the flow (prompts in headless mode, the grant's
// lifetime, Playwright's grantPermissions) is recorded, not asserted.

const results = fileURLToPath(new URL('../test-results/', import.meta.url));

describe('Storage Access in Chromium, third-party cookies blocked', () => {
  let world: World;
  let findings: Findings;

  beforeAll(async () => {
    world = await startWorld();
    try {
      findings = await runExperiment(world);
    } finally {
      await world.close();
    }
    const table = findingsTable(findings);
    await mkdir(results, { recursive: true });
    await writeFile(`${results}storage-access-findings.json`, `${JSON.stringify(findings, null, 2)}\n`);
    await writeFile(`${results}storage-access-findings.md`, `${table}\n`);
    console.log(table);
  }, 120_000);
  afterAll(() => world?.close());

  it('sends the IdP session cookie as SameSite=None; Secure, the only kind storage access unlocks', () => {
    expect(findings.sessionCookie).toMatchObject({ sameSite: 'None', secure: true });
  });

  it('before any grant: the silent frame gets no cookie, the app is told storage_access_required, then login_required', () => {
    const { silent, probeWithoutGesture } = findings.beforeGrant;
    expect(silent.idpSaw[0]).toMatchObject({ sessionCookie: false, storageAccess: 'none', activate: null });
    expect(silent.messages).toEqual(['storage_access_required', 'authorization_response']);
    expect(silent.result).toBe('login_required');
    expect(silent.slid).toBe(false);
    expect(probeWithoutGesture.request).toMatch(/^rejected/);
    expect(probeWithoutGesture.cookieAfter).toBe('false');
  });

  it('after a grant, the button page and a frame without a gesture get access', () => {
    expect(findings.buttonAfterGrant?.type).toBe('storage_access_granted');
    expect(findings.probeAfterGrant).toMatchObject({
      permission: 'granted',
      request: 'granted',
      hasAfter: true,
      cookieAfter: 'true',
    });
  });

  it('after a grant, the silent frame gets a code and slides the session through the header retry, without a page', () => {
    const flow = findings.silentHeaderFlow;
    expect(flow.idpSaw).toEqual([
      {
        sessionCookie: false,
        storageAccess: 'inactive',
        followUp: false,
        activate: expect.stringMatching(/^retry; allowed-origin="/),
        status: 200,
      },
      { sessionCookie: true, storageAccess: 'active', followUp: false, activate: null, status: 200 },
    ]);
    expect(flow.messages).toEqual(['authorization_response']);
    expect(flow.result).toBe('code');
    expect(flow.slid).toBe(true);
  });

  it("after a grant, a browser that ignores the header gets there by the page's script", () => {
    const flow = findings.silentScriptFlow;
    expect(flow.idpSaw.map(({ sessionCookie, followUp }) => ({ sessionCookie, followUp }))).toEqual([
      { sessionCookie: false, followUp: false },
      { sessionCookie: true, followUp: true },
    ]);
    expect(flow.result).toBe('code');
    expect(flow.slid).toBe(true);
  });

  it('the grant holds for new documents and tabs of the same top-level site, not for another site', () => {
    expect(findings.silentAfterReload.result).toBe('code');
    expect(findings.silentInNewTab.result).toBe('code');
    expect(findings.silentFromOtherSite.messages).toEqual(['storage_access_required', 'authorization_response']);
    expect(findings.silentFromOtherSite.result).toBe('login_required');
  });
});
