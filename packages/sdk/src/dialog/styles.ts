/**
 * Lives in the shadow root, so none of it reaches the page; `:host { all: initial }` stops the
 * page's inherited styles (font, colour, line height) from reaching in. Themes go through the
 * custom properties below (they pierce the shadow boundary by design) and `::part()`.
 */
export const STYLES = `
:host { all: initial; }
:host([hidden]), [hidden] { display: none !important; }
.backdrop {
  position: fixed; inset: 0; z-index: var(--sso-dialog-z-index, 2147483000);
  display: grid; place-items: center; padding: 1rem;
  background: var(--sso-dialog-backdrop, rgb(0 0 0 / 0.45));
  font: var(--sso-dialog-font, 16px/1.5 system-ui, sans-serif);
}
.dialog {
  box-sizing: border-box; max-width: 26rem; width: 100%; padding: 1.5rem;
  border-radius: var(--sso-dialog-radius, 0.75rem);
  background: var(--sso-dialog-background, #fff); color: var(--sso-dialog-color, #1a1a1a);
  box-shadow: 0 1rem 3rem rgb(0 0 0 / 0.3);
}
h2 { margin: 0 0 0.5rem; font-size: 1.25em; line-height: 1.3; }
p { margin: 0 0 1rem; }
.countdown { font-size: 2em; font-variant-numeric: tabular-nums; font-weight: 600; text-align: center; }
.actions { display: flex; gap: 0.75rem; justify-content: flex-end; flex-wrap: wrap; }
button {
  font: inherit; padding: 0.5rem 1.25rem; border-radius: 0.5rem; cursor: pointer;
  border: 1px solid var(--sso-dialog-accent, #2557d6);
}
button:focus-visible { outline: 3px solid var(--sso-dialog-focus, #f5a623); outline-offset: 2px; }
button:disabled { opacity: 0.6; cursor: progress; }
.continue { background: var(--sso-dialog-accent, #2557d6); color: var(--sso-dialog-accent-text, #fff); }
.logout { background: transparent; color: var(--sso-dialog-accent, #2557d6); }
.sr-only {
  position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
@media (prefers-color-scheme: dark) {
  .dialog { background: var(--sso-dialog-background, #1f2125); color: var(--sso-dialog-color, #f2f2f2); }
}
`;
