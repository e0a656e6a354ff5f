import { defineWorkflow } from './support/workflow.js';
import { allowed, blocked } from './support/world.js';

// One file, so the two regimes run one after the other: each compresses the workflow's
// timings to seconds, and two at once on a 2-core machine would race their own deadlines.
defineWorkflow(allowed);
defineWorkflow(blocked);
