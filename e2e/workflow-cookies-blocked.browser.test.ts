import { defineWorkflow } from './support/workflow.js';
import { blocked } from './support/world.js';

defineWorkflow(blocked);
