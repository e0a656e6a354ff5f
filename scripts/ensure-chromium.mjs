// Browser tests need Debian's Chromium (browser downloads do not work on every machine, and
// the real system browser is what we want anyway). Installs it with apt when we can, or stops
// at once with one line that says exactly what to install.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const path = process.env.SSO_SPA_CHROMIUM || '/usr/bin/chromium';
if (!existsSync(path)) {
  const canApt = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get') && !process.env.SSO_SPA_CHROMIUM;
  if (canApt) {
    console.log('Chromium is missing: installing Debian\'s "chromium" package with apt-get…');
    try {
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
      execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
    } catch {
      // fall through to the one-line message below
    }
  }
  if (!existsSync(path)) {
    console.error(
      `Chromium not found at ${path}: install it with "sudo apt-get install chromium" (Debian/Ubuntu) or point SSO_SPA_CHROMIUM at a Chromium binary.`,
    );
    process.exit(1);
  }
}
