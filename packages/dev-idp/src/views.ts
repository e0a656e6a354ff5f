// Server-rendered pages: plain HTML, inline styles, no external fonts, scripts or images, so
// the IdP works offline and a test never waits on the network.

/** The login page's message for an unknown user or a wrong password. */
export const WRONG_PASSWORD = 'Wrong email or password.';

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (char) => entities[char] ?? char);
}

const style = `body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0;padding:48px 16px;color:#1d2129}
main{max-width:360px;margin:0 auto;background:#fff;border-radius:8px;padding:24px 28px;box-shadow:0 1px 3px rgba(0,0,0,.15)}
h1{font-size:1.4em;margin:0 0 16px}label{display:block;margin:12px 0 4px;font-weight:600}
input{width:100%;box-sizing:border-box;padding:8px;font-size:1em;border:1px solid #b9bec7;border-radius:4px}
button{margin-top:20px;width:100%;padding:10px;font-size:1em;font-weight:600;border:0;border-radius:4px;background:#2457c5;color:#fff;cursor:pointer}
.error{color:#b00020;background:#fdecee;padding:8px;border-radius:4px}.muted{color:#5f6673;font-size:.9em}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px}dt{font-weight:600}dd{margin:0;word-break:break-word}`;

export function page(title: string, body: string, head = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${style}</style>${head}
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

export interface LoginView {
  action: string;
  clientName: string;
  login?: string;
  error?: string;
  users: { email: string; password: string }[];
}

export function loginPage(view: LoginView): string {
  const error = view.error ? `<p class="error" role="alert">${escapeHtml(view.error)}</p>` : '';
  const hints = view.users.map(
    (user) => `<li><code>${escapeHtml(user.email)}</code> / <code>${escapeHtml(user.password)}</code></li>`,
  );
  return page(
    'Sign in',
    `<h1>Sign in</h1>
<p class="muted">to continue to <strong>${escapeHtml(view.clientName)}</strong></p>
${error}
<form method="post" action="${escapeHtml(view.action)}" autocomplete="off">
<label for="login">Email</label>
<input id="login" name="login" type="text" inputmode="email" autofocus required value="${escapeHtml(view.login ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" required>
<button type="submit">Sign in</button>
</form>
<p class="muted">Development IdP. Test users:</p>
<ul class="muted">${hints.join('')}</ul>`,
  );
}

export function errorPage(fields: Record<string, unknown>): string {
  const rows = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(value)}</dd>`)
    .join('\n');
  return page(
    'Sign-in error',
    `<h1>Something went wrong</h1>
<p>The sign-in request could not be processed, so you were not sent back to the application.</p>
<dl>${rows}</dl>`,
  );
}

/** A form that posts itself on load: used to end the session without a confirmation click. */
export function autoSubmitPage(title: string, action: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  return page(
    title,
    `<h1>${escapeHtml(title)}</h1>
<form method="post" action="${escapeHtml(action)}">${inputs}<noscript><button type="submit">Continue</button></noscript></form>
<script>document.forms[0].submit()</script>`,
  );
}

export function logoutConfirmPage(action: string, xsrf: string, host: string): string {
  return page(
    'Sign out',
    `<h1>Sign out of ${escapeHtml(host)}?</h1>
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="xsrf" value="${escapeHtml(xsrf)}">
<input type="hidden" name="logout" value="yes">
<button type="submit">Sign out</button>
</form>`,
  );
}

export function loggedOutPage(clientName: string | undefined): string {
  return page(
    'Signed out',
    `<h1>You are signed out</h1>
<p>${clientName ? `You signed out of ${escapeHtml(clientName)} and ` : ''}your session at this identity provider has ended.</p>`,
  );
}
