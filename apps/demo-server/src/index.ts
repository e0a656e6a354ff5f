export {
  apiScope,
  assertPortFree,
  audience,
  type Demo,
  type DemoOptions,
  type DemoPorts,
  type DemoTimings,
  defaultTimings,
  demoUser,
  fastTimings,
  startDemo,
} from './topology.js';
