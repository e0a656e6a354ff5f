import { SsoError } from '../errors.js';
import { checkNoRepeats, cleanedUrl, responseParams } from '../protocol/callback.js';
import { type Transaction, TransactionStore } from '../store/transactions.js';
import type { ClientContext } from './context.js';
import { handOverSilentResponse } from './silent-frame.js';

/** This client's redirect transactions, in the storage `transactionStorage` names. */
export function transactionsOf(ctx: ClientContext): TransactionStore {
  const { issuer, clientId, transactionStorage } = ctx.options;
  return new TransactionStore(
    () => ctx.platform.storage(transactionStorage === 'local' ? 'local' : 'session'),
    issuer,
    clientId,
    () => ctx.now(),
  );
}

/**
 * The synchronous start of a redirect callback: the response parameters leave the address bar
 * and the transaction is consumed before anything awaits, so a reload or the back button
 * replays nothing. Returns `undefined` in the SDK's own silent frame or popup, whose response
 * went to the window that waits for it.
 */
export function takeCallback(ctx: ClientContext, url?: string): { params: URLSearchParams; tx: Transaction } | undefined {
  if (handOverSilentResponse(ctx, (state) => transactionsOf(ctx).has(state))) return undefined;
  const current = ctx.platform.currentUrl();
  const href = url ?? current;
  if (!href) throw new SsoError('invalid_options', 'No callback URL');
  const params = responseParams(href);
  const clean = current ? cleanedUrl(current) : undefined;
  if (clean) ctx.platform.replaceUrl(clean);
  // Every state's transaction is consumed, so a repeated state leaves none behind; without a
  // state the store is still rewritten, dropping corrupt entries.
  const [state, ...others] = params.getAll('state');
  const transactions = transactionsOf(ctx);
  const tx = transactions.take(state);
  for (const other of others) transactions.take(other);
  checkNoRepeats(params);
  if (!tx || tx.issuer !== ctx.options.issuer || tx.clientId !== ctx.options.clientId) {
    throw new SsoError('state_mismatch', 'No matching login transaction');
  }
  return { params, tx };
}
