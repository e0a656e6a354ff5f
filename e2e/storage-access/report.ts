import type { Findings, ProbeOutcome, SilentOutcome } from './experiment.js';

// The findings as a Markdown table: one row per question the experiment answers.

function silentRow(outcome: SilentOutcome): string {
  const saw = outcome.idpSaw
    .map(
      (r) =>
        `${r.followUp ? "page's follow-up " : ''}${r.storageAccess ?? '—'}${r.sessionCookie ? '+cookie' : ''}${r.activate ? ` → ${r.activate.split(';')[0]}` : ''}`,
    )
    .join(', ');
  return `${outcome.result}${outcome.slid ? ', session slid' : ''}; messages: ${outcome.messages.join(', ')}; IdP saw: ${saw}`;
}

function probeRow(outcome: ProbeOutcome): string {
  return `permission ${outcome.permission}, requestStorageAccess() ${outcome.request}, hasStorageAccess ${outcome.has} → ${outcome.hasAfter}, session cookie on fetch: ${outcome.cookieAfter}`;
}

export function findingsTable(findings: Findings): string {
  const rows: [string, string][] = [
    ['Chromium', findings.chromium],
    [
      'IdP session cookie',
      findings.sessionCookie
        ? `SameSite=${findings.sessionCookie.sameSite}, Secure=${findings.sessionCookie.secure}, HttpOnly=${findings.sessionCookie.httpOnly}`
        : 'missing',
    ],
    [
      'top level: requestStorageAccessFor / top-level-storage-access',
      `${findings.topLevel.requestStorageAccessFor} / ${findings.topLevel.topLevelPermission}`,
    ],
    ['before any grant: silent frame', silentRow(findings.beforeGrant.silent)],
    ['before any grant: requestStorageAccess() on load, no gesture', probeRow(findings.beforeGrant.probeWithoutGesture)],
    [
      "playwright grantPermissions(['storage-access'])",
      `${findings.playwrightGrantPermissions.call}; then ${probeRow(findings.playwrightGrantPermissions.probe)}`,
    ],
    [
      'trusted click on "Stay signed in" in the frame',
      `${JSON.stringify(findings.clickInFrame.answer)}; then ${probeRow(findings.clickInFrame.probeAfter)}`,
    ],
    [
      'grant made by',
      findings.grantedBy === 'click' ? 'the click (prompt accepted)' : 'CDP Browser.setPermission (stand-in for "Allow")',
    ],
    ['after the grant: button page on load, no click', JSON.stringify(findings.buttonAfterGrant)],
    ['after the grant: requestStorageAccess() on load, no gesture', probeRow(findings.probeAfterGrant)],
    ['after the grant: silent frame (header flow)', silentRow(findings.silentHeaderFlow)],
    ['after the grant: silent frame (no header, page script)', silentRow(findings.silentScriptFlow)],
    ['after the grant: fresh top-level document', silentRow(findings.silentAfterReload)],
    ['after the grant: new tab', silentRow(findings.silentInNewTab)],
    ['after the grant: another top-level site', silentRow(findings.silentFromOtherSite)],
    [
      'stored decisions (profile)',
      findings.storedGrants.map((g) => `${g.pair}: ${g.setting}, ${g.lifetimeSeconds / 86400} days`).join('; ') || 'none',
    ],
  ];
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  return ['| question | observed |', '| --- | --- |', ...rows.map(([q, a]) => `| ${cell(q)} | ${cell(a)} |`)].join('\n');
}
