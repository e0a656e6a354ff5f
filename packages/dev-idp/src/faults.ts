import type { ServerResponse } from 'node:http';

/**
 * For a `faults` hook: buffers what the real handler writes so `rewrite` can change the body
 * (a token response with a re-signed ID token, say) before it is sent, with a matching
 * `content-length`.
 */
export function rewriteResponseBody(res: ServerResponse, rewrite: (body: string) => string): void {
  const chunks: Buffer[] = [];
  const end = res.end.bind(res);
  res.write = ((chunk: Buffer | string) => {
    chunks.push(Buffer.from(chunk));
    return true;
  }) as ServerResponse['write'];
  res.end = ((chunk?: Buffer | string | (() => void)) => {
    if (chunk && typeof chunk !== 'function') chunks.push(Buffer.from(chunk));
    const body = rewrite(Buffer.concat(chunks).toString('utf8'));
    if (!res.headersSent) res.setHeader('content-length', Buffer.byteLength(body));
    return end(body);
  }) as ServerResponse['end'];
}
