export { defaultBehaviour, type ProfileName, type ProviderBehaviour, profiles } from './behaviour.js';
export type { DevApi, DevClient, DevIdpFaultContext, DevIdpFaults, DevIdpHandler, DevIdpOptions, DevUser } from './config.js';
export { defaultUser } from './config.js';
export { rewriteResponseBody } from './faults.js';
export { routes } from './paths.js';
export { createDevIdp, type DevIdp } from './server.js';
export type { DevSession } from './session-info.js';
export { WRONG_PASSWORD } from './views.js';
