import { SsoError } from '../errors.js';
import { checkNoRepeats, cleanedUrl, responseParams } from '../protocol/callback.js';
import { type Transaction, TransactionStore } from '../store/transactions.js';
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
 * The synchronous start of a redirect callback: the response parameters leave the address bar
 * and the transaction is consumed before anything awaits, so a reload or the back button
 * replays nothing.
 */
export function takeCallback(ctx: ClientContext, url?: string): TakenCallback {
  const current = ctx.platform.currentUrl();
  const href = url ?? current;
  if (!href) throw new SsoError('invalid_options', 'No callback URL');
  const params = responseParams(href);
  const [state, ...others] = params.getAll('state');
  const transactions = transactionsOf(ctx);
  // In a window this app opened, a response of no transaction of this tab's is the SDK's own
  // silent frame or popup: left as it is, for completeCallback to hand over.
  if (ctx.platform.opener() && !transactions.has(state ?? '')) return { href, params };
  const clean = current ? cleanedUrl(current) : undefined;
  if (clean) ctx.platform.replaceUrl(clean);
  // Every state's transaction is consumed, so a repeated state leaves none behind; without a
  // state the store is still rewritten, dropping corrupt entries.
  const tx = transactions.take(state);
  for (const other of others) transactions.take(other);
  if (!tx || tx.issuer !== ctx.options.issuer || tx.clientId !== ctx.options.clientId) return { href, params };
  checkNoRepeats(params);
  return { href, params, tx };
}
