import type { Provider } from 'oidc-provider';
import type { ResolvedConfig } from '../config.js';
import type { SessionClock } from '../sessions.js';
import type { Store } from '../storage.js';

/** What every route module gets. */
export interface RouteParts {
  provider: Provider;
  config: ResolvedConfig;
  store: Store;
  clock: SessionClock;
}
