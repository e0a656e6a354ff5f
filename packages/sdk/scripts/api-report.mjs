// The checked public surface: an API report per entry point (etc/*.api.md), made by
// api-extractor from the built declarations. `node scripts/api-report.mjs` checks that the
// surface matches the committed reports; `--update` rewrites them after a deliberate change.

import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const root = fileURLToPath(new URL('..', import.meta.url));
const entries = {
  'sso-spa': 'index',
  'sso-spa-session': 'session/index',
  'sso-spa-dialog': 'dialog/index',
  'sso-spa-testing': 'testing',
};
const update = process.argv.includes('--update');

/** Checks (or, with `update`, rewrites) every entry's report; returns the entries that differ. */
export function checkApiReports({ write = update } = {}) {
  const changed = [];
  for (const [name, entry] of Object.entries(entries)) {
    const config = ExtractorConfig.prepare({
      configObject: {
        projectFolder: root,
        mainEntryPointFilePath: `<projectFolder>/dist/${entry}.d.ts`,
        compiler: { tsconfigFilePath: '<projectFolder>/tsconfig.json' },
        apiReport: {
          enabled: true,
          reportFileName: `${name}.api.md`,
          reportFolder: '<projectFolder>/etc/',
          reportTempFolder: '<projectFolder>/node_modules/.api-report/',
        },
        docModel: { enabled: false },
        dtsRollup: { enabled: false },
        tsdocMetadata: { enabled: false },
        messages: {
          extractorMessageReporting: {
            default: { logLevel: 'none' },
            'ae-missing-release-tag': { logLevel: 'none' },
            'ae-forgotten-export': { logLevel: 'none', addToApiReportFile: true },
          },
          compilerMessageReporting: { default: { logLevel: 'warning' } },
          tsdocMessageReporting: { default: { logLevel: 'none' } },
        },
      },
      configObjectFullPath: `${root}api-extractor.json`,
      packageJsonFullPath: `${root}package.json`,
    });
    const result = Extractor.invoke(config, {
      localBuild: write,
      showVerboseMessages: false,
      messageCallback: (m) => {
        m.handled = true;
      },
    });
    if (result.apiReportChanged) changed.push(name);
  }
  return changed;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const changed = checkApiReports();
  if (changed.length && !update) {
    console.error(
      `API surface changed: ${changed.join(', ')}. Review, then run: node packages/sdk/scripts/api-report.mjs --update`,
    );
    process.exitCode = 1;
  } else console.log(update ? `API reports written (${changed.length} changed)` : 'API reports match');
}
