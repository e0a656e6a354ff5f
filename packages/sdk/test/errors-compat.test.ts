// Errors as code written for @auth0/auth0-spa-js reads them, and one error class across the
// SDK's separately bundled entry points.
import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  GenericError,
  isSsoError,
  MissingRefreshTokenError,
  PopupCancelledError,
  PopupOpenError,
  PopupTimeoutError,
  SsoError,
  TimeoutError,
} from '../src/index.js';
import { providerError } from '../src/protocol/provider-errors.js';

describe('auth0-spa-js error compatibility', () => {
  it('every error carries error and error_description: the provider’s words, else the SDK’s', () => {
    const own = new SsoError('missing_refresh_token', 'No refresh token');
    expect(own).toMatchObject({ error: 'missing_refresh_token', error_description: 'No refresh token' });
    expect(own.errorDescription).toBeUndefined();
    const theirs = providerError('login_required', 'End-User authentication is required', 400);
    expect(theirs).toMatchObject({
      code: 'login_required',
      error: 'login_required',
      error_description: 'End-User authentication is required',
      errorDescription: 'End-User authentication is required',
    });
    const unknown = providerError('temporarily_unavailable', 'try later');
    expect(unknown).toMatchObject({ code: 'oauth_error', error: 'temporarily_unavailable' });
  });

  it('the auth0-spa-js error classes match by instanceof', () => {
    const timeout = new SsoError('timeout', 't');
    const closed = new SsoError('popup_closed', 'c');
    const blocked = new SsoError('popup_blocked', 'b');
    const missing = new SsoError('missing_refresh_token', 'm');
    const denied = providerError('access_denied');
    expect([timeout, closed, blocked, missing, denied].every((e) => e instanceof GenericError)).toBe(true);
    expect(new Error('x') instanceof GenericError).toBe(false);
    expect(timeout instanceof TimeoutError && timeout instanceof PopupTimeoutError).toBe(true);
    expect(closed instanceof PopupCancelledError && !(closed instanceof TimeoutError)).toBe(true);
    expect(blocked instanceof PopupOpenError).toBe(true);
    expect(missing instanceof MissingRefreshTokenError && !(missing instanceof AuthenticationError)).toBe(true);
    expect(denied instanceof AuthenticationError).toBe(true);
  });
});

describe('one SsoError across bundles', () => {
  it('an error thrown by the separately bundled session entry is an SsoError of the core entry', async () => {
    const core = await import('../dist/index.js');
    const session = await import('../dist/session/index.js');
    const client = new core.SsoClient({ issuer: 'https://idp.example/', clientId: 'site-a' });
    const manager = session.createSessionManager(client, {});
    const error = await manager.continueSession().catch((e: unknown) => e);
    manager.destroy();
    expect(error).toBeInstanceOf(core.SsoError);
    expect(core.isSsoError(error, 'login_required')).toBe(true);
    expect(isSsoError(error)).toBe(true);
  });
});
