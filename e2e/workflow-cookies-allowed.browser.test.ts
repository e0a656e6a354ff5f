import { defineWorkflow } from './support/workflow.js';
import { allowed } from './support/world.js';

defineWorkflow(allowed);
