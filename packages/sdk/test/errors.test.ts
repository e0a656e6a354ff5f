import { describe, expect, it } from 'vitest';
import { isSsoError, SsoError } from '../src/index.js';

describe('SsoError', () => {
  it('keeps the code, the provider error and the cause', () => {
    const cause = new TypeError('fetch failed');
    const error = new SsoError('login_required', 'No session at the provider', {
      cause,
      error: 'login_required',
      errorDescription: 'End-User authentication is required',
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('SsoError');
    expect(error.code).toBe('login_required');
    expect(error.error).toBe('login_required');
    expect(error.errorDescription).toBe('End-User authentication is required');
    expect(error.cause).toBe(cause);
  });

  it('is told apart by code, never by message', () => {
    const error = new SsoError('timeout', 'Silent authentication timed out');
    expect(isSsoError(error)).toBe(true);
    expect(isSsoError(error, 'timeout', 'network')).toBe(true);
    expect(isSsoError(error, 'login_required')).toBe(false);
    expect(isSsoError(new Error('timeout'))).toBe(false);
  });
});
