import { scopedName } from '../names.js';
import type { ClientContext } from './context.js';

/** The per-tab mark of the top-level check (see silent-redirect-guard.ts). */
export const silentCheckName = (ctx: ClientContext) => scopedName('check', ctx.options.issuer, ctx.options.clientId);

/** The mark's value once a top-level check found the session the hidden iframe could not see. */
export const FRAME_BLIND = 'frame-blind';

/** Whether this tab learnt that its hidden iframe cannot see the session (third-party cookies blocked). */
export function frameIsBlind(ctx: ClientContext): boolean {
  try {
    return ctx.platform.storage('session')?.getItem(silentCheckName(ctx)) === FRAME_BLIND;
  } catch {
    return false;
  }
}
