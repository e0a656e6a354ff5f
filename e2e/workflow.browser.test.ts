import { defineNavigationExtension } from './support/extend-on-navigation.js';
import { defineProfileWorkflow } from './support/profile-workflow.js';
import { defineWorkflow } from './support/workflow.js';
import { allowed, blocked } from './support/world.js';

// One file, so that every run is sequential: each compresses the workflow's timings to
// seconds, and two at once on a 2-core machine would race their own deadlines.
// The full six steps on the dev IdP's own behaviour, in both cookie regimes…
defineWorkflow(allowed);
defineWorkflow(blocked);
// Where only a top-level round trip can extend the SSO session, navigation takes it.
defineNavigationExtension(blocked);
// …then a reduced but real workflow against each other provider profile, in both regimes.
for (const profile of ['hint-required', 'framed-login', 'minimal'] as const) {
  defineProfileWorkflow(profile, allowed);
  defineProfileWorkflow(profile, blocked);
}
