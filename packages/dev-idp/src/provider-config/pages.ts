// Where oidc-provider sends the user when it needs them (the login page) and the page it
// shows when a request cannot go back to the application.
import type { Configuration } from 'oidc-provider';
import type { ProviderBehaviour } from '../behaviour.js';
import { errorPage } from '../views.js';
import { interactionPolicyFor } from './behaviour-hooks.js';

export function pageSettings(behaviour: ProviderBehaviour): Pick<Configuration, 'interactions' | 'renderError'> {
  return {
    interactions: {
      policy: interactionPolicyFor(behaviour),
      // Served by routes/interactions.ts.
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    async renderError(ctx, out) {
      // Marks the page as one the application never receives (see behaviourRoutes).
      ctx.state.errorPage = true;
      ctx.type = 'html';
      ctx.body = errorPage({ ...out });
    },
  };
}
