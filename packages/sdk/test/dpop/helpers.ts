// Shared by the DPoP tests: a prover with a key of its own, and a scripted fetch that records
// what each request carried.
import { EmbeddedJWK, jwtVerify } from 'jose';
import { createDpopKeyStore } from '../../src/dpop/key-store.js';
import { createDpopProver, type DpopProver } from '../../src/dpop/prover.js';

/** A prover whose key lives in memory (the key store's own tests cover IndexedDB). */
export const memoryProver = (): DpopProver =>
  createDpopProver({ keyStore: createDpopKeyStore({ issuer: 'https://op.example/', clientId: 'site-a', indexedDB: null }) });

/** What one request sent: its headers and body as text. */
export interface SentRequest {
  method: string;
  url: string;
  /** The request's HTTP cache mode (`no-cache` goes past the browser's cache). */
  cache: RequestCache;
  headers: Headers;
  body: string;
}

/** A fetch that answers with `answers` in turn (the last one again when they run out) and records every request. */
export function scriptedFetch(...answers: (() => Response)[]) {
  const sent: SentRequest[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    sent.push({
      method: request.method,
      url: request.url,
      cache: request.cache,
      headers: request.headers,
      body: await request.text(),
    });
    const answer = answers[Math.min(sent.length - 1, answers.length - 1)] as () => Response;
    return answer();
  };
  return { fetch: fetch as typeof globalThis.fetch, sent };
}

/** Verifies a proof as a server does (embedded JWK, typ, ES256) and returns its claims and key. */
export async function readProof(proof: string | null) {
  const { payload, protectedHeader } = await jwtVerify(proof ?? '', EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'] });
  return { payload, jwk: protectedHeader.jwk as Record<string, unknown> };
}

/** An authorization server's nonce challenge (RFC 9449 §8). */
export const tokenNonceChallenge = (nonce: string) => () =>
  Response.json(
    { error: 'use_dpop_nonce', error_description: 'nonce required' },
    { status: 400, headers: { 'dpop-nonce': nonce } },
  );

/** A resource server's nonce challenge (RFC 9449 §9). */
export const resourceNonceChallenge = (nonce: string) => () =>
  new Response(null, {
    status: 401,
    headers: { 'www-authenticate': 'DPoP error="use_dpop_nonce", algs="ES256"', 'dpop-nonce': nonce },
  });
