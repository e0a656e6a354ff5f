import { useSso } from 'sso-spa-react';
import type { DemoConfig } from '../config.js';

export function HomePage({ config }: { config: DemoConfig }) {
  const { isAuthenticated, user } = useSso();
  return (
    <section>
      <h1>{config.siteName}</h1>
      <p>
        A single-page app on its own site. It shares one SSO session at the identity provider with{' '}
        <a href={config.otherSite.url}>{config.otherSite.name}</a>: sign in here and {config.otherSite.name} signs you in without
        a form; stay idle and you are warned before the session ends; log out and every site finds out.
      </p>
      {isAuthenticated ? (
        <p data-testid="welcome">Welcome back, {user?.name ?? user?.sub}.</p>
      ) : (
        <p className="muted">This page is public. Orders and External API need you to sign in.</p>
      )}
    </section>
  );
}
