export {
  apiScope,
  assertPortFree,
  audience,
  type Demo,
  type DemoOptions,
  type DemoPorts,
  type DemoSite,
  type DemoTimings,
  defaultTimings,
  demoUser,
  fastTimings,
  startDemo,
} from './topology.js';
