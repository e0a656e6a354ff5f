/**
 * What the SDK names in the browser, each scoped by issuer (and client) so that two apps on one
 * origin never share one:
 * - `''`: the cross-tab renewal lock and the tabs' channel (`sso-spa::<issuer>::<client>`);
 * - `tx`: redirect transactions waiting for their callback (sessionStorage);
 * - `check`: the mark that stops a top-level session check from looping (sessionStorage);
 * - `session`: the state `sso-spa/session` shares between tabs (localStorage, channel);
 * - `meta.returning`: "this site signed someone in here" (localStorage, no secret);
 * - `meta.discovery`: the provider's metadata kept for this tab's reloads (sessionStorage).
 * Cached tokens live under `sso-spa::<issuer>::<client>::…` (see store/cache-store.ts).
 */
export type NameKind = '' | 'tx' | 'check' | 'session' | 'meta.returning' | 'meta.discovery';

export function scopedName(kind: NameKind, issuer: string, clientId?: string): string {
  return `sso-spa${kind ? `.${kind}` : ''}::${issuer}${clientId === undefined ? '' : `::${clientId}`}`;
}
