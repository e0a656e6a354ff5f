import type { ComponentType } from 'react';
import { type SsoContextValue, useSso } from './useSso.js';

/** The prop {@link withSso} injects. */
export interface WithSsoProps {
  /** Everything `useSso()` returns. */
  sso: SsoContextValue;
}

/**
 * For class components, which cannot call hooks: renders `Component` with the value of
 * `useSso()` as its `sso` prop, re-rendering when the session changes (auth0-react's `withAuth0`).
 */
export function withSso<P extends WithSsoProps>(Component: ComponentType<P>): ComponentType<Omit<P, keyof WithSsoProps>> {
  function WithSso(props: Omit<P, keyof WithSsoProps>) {
    const sso = useSso();
    return <Component {...(props as P)} sso={sso} />;
  }
  WithSso.displayName = `withSso(${Component.displayName ?? Component.name ?? 'Component'})`;
  return WithSso;
}
