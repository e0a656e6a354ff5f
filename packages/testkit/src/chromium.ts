import { existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/** Where Debian puts Chromium; `SSO_SPA_CHROMIUM` overrides it. */
export const chromiumPath = (): string => process.env.SSO_SPA_CHROMIUM || '/usr/bin/chromium';

export function chromiumMissing(): string | undefined {
  const path = chromiumPath();
  return existsSync(path) ? undefined : path;
}

/**
 * Profiles of browsers still open. An interrupted run (Ctrl-C) exits before an async close
 * can finish, so the profiles are removed synchronously on exit as a last resort.
 */
const openProfiles = new Set<string>();
let exitHookInstalled = false;
function removeProfilesOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const dir of openProfiles) rmSync(dir, { recursive: true, force: true });
  });
}

export interface LaunchOptions {
  /**
   * Whether the profile accepts third-party cookies. Debian's Chromium blocks them by
   * default, as Safari and Firefox's strict mode do, so `false` is the realistic regime.
   */
  thirdPartyCookies: boolean;
  /** Headless unless `SSO_SPA_HEADED=1`. */
  headless?: boolean;
}

export interface LaunchedBrowser {
  context: BrowserContext;
  profileDir: string;
  /** Closes the browser and deletes its profile. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Launches Chromium with a fresh profile. The cookie regime is written into the profile's
 * Preferences before launch (`cookie_controls_mode`: 0 allows third-party cookies, 1 blocks
 * them) because there is no command-line switch for it.
 */
export async function launchChromium(options: LaunchOptions): Promise<LaunchedBrowser> {
  const missing = chromiumMissing();
  if (missing) {
    throw new Error(`Chromium not found at ${missing}: run "apt-get install chromium" or set SSO_SPA_CHROMIUM`);
  }
  const profileDir = await mkdtemp(join(tmpdir(), 'sso-spa-chromium-'));
  openProfiles.add(profileDir);
  removeProfilesOnExit();
  await mkdir(join(profileDir, 'Default'), { recursive: true });
  await writeFile(
    join(profileDir, 'Default', 'Preferences'),
    JSON.stringify({ profile: { cookie_controls_mode: options.thirdPartyCookies ? 0 : 1 } }),
  );
  const args = [
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-gpu',
    '--disable-quic',
    '--disable-dev-shm-usage',
  ];
  // Chromium refuses to start as root with its sandbox on.
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: chromiumPath(),
      headless: options.headless ?? process.env.SSO_SPA_HEADED !== '1',
      args,
    });
  } catch (error) {
    openProfiles.delete(profileDir);
    await rm(profileDir, { recursive: true, force: true });
    throw error;
  }
  let closed: Promise<void> | undefined;
  return {
    context,
    profileDir,
    close() {
      closed ??= context
        .close()
        .catch(() => {})
        .then(() => rm(profileDir, { recursive: true, force: true }))
        .finally(() => openProfiles.delete(profileDir));
      return closed;
    },
  };
}
