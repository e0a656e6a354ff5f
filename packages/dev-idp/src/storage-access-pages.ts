// The two pages of the Storage Access opt-in (routes/storage-access.ts): the one a silent frame
// gets when its request came without the session cookie, and the provider's "Stay signed in"
// button that an application shows in a visible frame. Both post to exactly one origin, the one
// of a redirect URI registered for the client, never to '*'.
import { escapeHtml, page } from './views.js';

/** Messages these pages post to the application (`event.data.type`). */
export const storageAccessMessages = {
  /** Silent page: the browser withholds the provider's cookies here and no grant exists yet. */
  required: 'storage_access_required',
  /** Button page: access granted (by the click, or by an earlier grant without one). */
  granted: 'storage_access_granted',
  /** Button page: the browser refused (no prompt allowed, the user blocked it, no API). */
  denied: 'storage_access_denied',
} as const;

const SCRIPT_UNSAFE = /[<>&\u2028\u2029]/g;

/** A value as a JavaScript literal that is safe inside an inline `<script>`. */
function scriptValue(value: unknown): string {
  return JSON.stringify(value).replace(SCRIPT_UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export interface SilentPageView {
  /** The same authorization request, marked so that it is answered as usual. */
  answerUrl: string;
  /** The origin of the registered redirect URI: the only target of the message. */
  targetOrigin: string;
  /** The request's `state`, echoed so the application can match the message to its request. */
  state: string;
  nonce: string;
}

/**
 * The silent frame's page. Where the browser already lets this frame use the provider's
 * cookies (no blocking, or access already active), a missing cookie means no session: the
 * request is answered as usual. Where a grant exists (`storage-access` permission `granted`),
 * `requestStorageAccess()` resolves without a gesture and the request is run again, now with
 * the cookie. Otherwise the page says `storage_access_required` to the application and then
 * answers as usual (`login_required`), so an application that does not know the message sees
 * nothing new.
 */
export function silentStorageAccessPage(view: SilentPageView): string {
  const script = `(async () => {
  const answerUrl = ${scriptValue(view.answerUrl)};
  const targetOrigin = ${scriptValue(view.targetOrigin)};
  const answer = () => location.replace(answerUrl);
  try {
    if (typeof document.hasStorageAccess !== 'function' || (await document.hasStorageAccess())) return answer();
    const permission = await navigator.permissions.query({ name: 'storage-access' }).then((s) => s.state, () => 'prompt');
    if (permission === 'granted') {
      await document.requestStorageAccess();
      return answer();
    }
  } catch {}
  if (window.parent !== window) {
    window.parent.postMessage({ type: ${scriptValue(storageAccessMessages.required)}, state: ${scriptValue(view.state)} }, targetOrigin);
  }
  answer();
})();`;
  return page(
    'Checking your sign-in',
    '<p class="muted">Checking your sign-in…</p>',
    `\n<script nonce="${escapeHtml(view.nonce)}">${script}</script>`,
  );
}

export interface ButtonPageView {
  clientName: string;
  idpHost: string;
  targetOrigin: string;
  nonce: string;
}

/**
 * The provider's own button. A click in this frame is a user gesture inside the provider's
 * document, the one thing a first `requestStorageAccess()` needs (with, in Chromium, a prompt
 * and an earlier top-level visit with interaction). With a grant already there, access is
 * taken on load without a click.
 */
export function storageAccessButtonPage(view: ButtonPageView): string {
  const script = `(() => {
  const targetOrigin = ${scriptValue(view.targetOrigin)};
  const button = document.getElementById('stay');
  const status = document.getElementById('status');
  const tell = (type, extra) => { if (window.parent !== window) window.parent.postMessage({ type, ...extra }, targetOrigin); };
  const granted = () => { button.hidden = true; status.textContent = 'Done: you stay signed in.'; tell(${scriptValue(storageAccessMessages.granted)}); };
  const denied = (error) => {
    button.disabled = false;
    status.textContent = 'Your browser did not allow it. You will need to sign in again when your session ends.';
    tell(${scriptValue(storageAccessMessages.denied)}, { error });
  };
  if (typeof document.requestStorageAccess !== 'function') { button.disabled = true; denied('unsupported'); return; }
  button.addEventListener('click', () => {
    button.disabled = true;
    document.requestStorageAccess().then(granted, (e) => denied(e && e.name ? e.name : 'NotAllowedError'));
  });
  (async () => {
    try {
      if (await document.hasStorageAccess()) return granted();
      const permission = await navigator.permissions.query({ name: 'storage-access' }).then((s) => s.state, () => 'prompt');
      if (permission === 'granted') { await document.requestStorageAccess(); granted(); }
    } catch {}
  })();
})();`;
  return page(
    'Stay signed in',
    `<h1>Stay signed in</h1>
<p class="muted">Your browser keeps <strong>${escapeHtml(view.idpHost)}</strong> from seeing that you are signed in while you use <strong>${escapeHtml(view.clientName)}</strong>. Allow it, and you stay signed in while you are active.</p>
<button id="stay" type="button">Stay signed in</button>
<p id="status" class="muted" role="status"></p>
<script nonce="${escapeHtml(view.nonce)}">${script}</script>`,
  );
}
