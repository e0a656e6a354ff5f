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

/** The prop {@link withAuth0} injects: auth0-react's name for it. */
export interface WithAuth0Props {
  /** Everything `useSso()` returns. */
  auth0: SsoContextValue;
}

/**
 * auth0-react's `withAuth0`, so class components move over with a change of import: like
 * {@link withSso}, with the value of `useSso()` as the `auth0` prop.
 */
export function withAuth0<P extends WithAuth0Props>(Component: ComponentType<P>): ComponentType<Omit<P, keyof WithAuth0Props>> {
  function WithAuth0(props: Omit<P, keyof WithAuth0Props>) {
    const auth0 = useSso();
    return <Component {...(props as P)} auth0={auth0} />;
  }
  WithAuth0.displayName = `withAuth0(${Component.displayName ?? Component.name ?? 'Component'})`;
  return WithAuth0;
}
