import type { DevApi, ResolvedClient, ResolvedConfig } from '../config.js';

/** The configured APIs by identifier (the `audience`/`resource` value that names them). */
export function apisByIdentifier(config: ResolvedConfig): Map<string, DevApi> {
  return new Map(config.apis.map((api) => [api.identifier, api]));
}

/** The configured clients by client id, for their own token lifetimes. */
export function clientsById(config: ResolvedConfig): Map<string, ResolvedClient> {
  return new Map(config.clients.map((client) => [client.clientId, client]));
}
