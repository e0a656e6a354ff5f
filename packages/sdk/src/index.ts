export { isSsoError, SsoError, type SsoErrorCode, type SsoErrorOptions } from './errors.js';
