import { checkNoRepeats, responseParams } from '../protocol/callback.js';
import { type Transaction, TransactionStore } from '../store/transactions.js';
import { cleanAddressBar } from './callback-url.js';
import type { ClientContext } from './context.js';

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

/** A callback whose transaction this tab held (or none: the SDK's own silent frame, or a stray response). */
export interface TakenCallback {
  href: string;
  params: URLSearchParams;
  tx?: Transaction;
}

/**
 * Takes the transaction of the callback at `href` (see {@link leaveCallbackUrl}): removed from
 * storage at once, without an await, so two calls for one response never both get it.
 */
export function takeCallback(ctx: ClientContext, href: string): TakenCallback {
  const params = responseParams(href);
  const [state, ...others] = params.getAll('state');
  const transactions = transactionsOf(ctx);
  // In a window this app opened, a response of no transaction of this tab's is the SDK's own
  // silent frame or popup: left as it is, for completeCallback to hand over.
  const opener = ctx.platform.opener();
  if (opener && !transactions.has(state ?? '')) return { href, params };
  // Elsewhere leaveCallbackUrl cleaned the address bar already.
  if (opener) cleanAddressBar(ctx);
  // Every state's transaction is consumed, so a repeated state leaves none behind; without a
  // state the store is still rewritten, dropping corrupt entries.
  const tx = transactions.take(state);
  for (const other of others) transactions.take(other);
  if (!tx || tx.issuer !== ctx.options.issuer || tx.clientId !== ctx.options.clientId) return { href, params };
  checkNoRepeats(params);
  return { href, params, tx };
}
