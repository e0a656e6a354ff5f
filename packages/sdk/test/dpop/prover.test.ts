import { calculateJwkThumbprint } from 'jose';
import { describe, expect, it } from 'vitest';
import type { DpopKeyStore } from '../../src/dpop/key-store.js';
import { createDpopProver } from '../../src/dpop/prover.js';
import { memoryProver, readProof, tokenNonceChallenge } from './helpers.js';

const TOKEN_ENDPOINT = 'http://localhost:4000/oauth/token';
const ok = () => Response.json({ ok: true });

/** Sends through the prover, recording every proof it was given. */
function recorder(...answers: (() => Response)[]) {
  const proofs: string[] = [];
  const send = async (proof: string) => {
    proofs.push(proof);
    return (answers[Math.min(proofs.length - 1, answers.length - 1)] as () => Response)();
  };
  return { proofs, send };
}

describe('createDpopProver', () => {
  it("gives the thumbprint of the key its proofs carry (dpop_jkt = the token's cnf.jkt)", async () => {
    const prover = memoryProver();
    const { jwk } = await readProof(await prover.proof({ method: 'POST', url: TOKEN_ENDPOINT }));
    expect(await prover.thumbprint()).toBe(await calculateJwkThumbprint(jwk, 'sha256'));
    expect(prover.persistent).toBe(false);
  });

  it('answers a nonce challenge by sending once more with the new nonce', async () => {
    const prover = memoryProver();
    const { proofs, send } = recorder(tokenNonceChallenge('n-1'), ok);
    const response = await prover.send({ method: 'POST', url: TOKEN_ENDPOINT }, send);
    expect(response.status).toBe(200);
    expect(proofs).toHaveLength(2);
    expect((await readProof(proofs[0] as string)).payload).not.toHaveProperty('nonce');
    const retry = (await readProof(proofs[1] as string)).payload;
    expect(retry).toMatchObject({ nonce: 'n-1', htm: 'POST', htu: TOKEN_ENDPOINT });
    expect(retry.jti).not.toBe((await readProof(proofs[0] as string)).payload.jti);
  });

  it('sends no more than twice when the server keeps challenging, and hands back the last answer', async () => {
    const prover = memoryProver();
    const { proofs, send } = recorder(tokenNonceChallenge('n-1'), tokenNonceChallenge('n-2'), ok);
    const response = await prover.send({ method: 'POST', url: TOKEN_ENDPOINT }, send);
    expect(proofs).toHaveLength(2);
    expect(response.status).toBe(400);
    // The nonce of the last answer is kept for the next request.
    expect((await readProof(await prover.proof({ method: 'POST', url: TOKEN_ENDPOINT }))).payload.nonce).toBe('n-2');
  });

  it('does not retry a request that was refused for another reason', async () => {
    const prover = memoryProver();
    const refused = () => Response.json({ error: 'invalid_dpop_proof' }, { status: 400, headers: { 'dpop-nonce': 'n-1' } });
    const { proofs, send } = recorder(refused, ok);
    expect((await prover.send({ method: 'POST', url: TOKEN_ENDPOINT }, send)).status).toBe(400);
    expect(proofs).toHaveLength(1);
  });

  it('reset makes a new key and forgets the nonces', async () => {
    const prover = memoryProver();
    const before = await prover.thumbprint();
    await prover.send({ method: 'POST', url: TOKEN_ENDPOINT }, recorder(tokenNonceChallenge('n-1'), ok).send);
    await prover.reset();
    expect(await prover.thumbprint()).not.toBe(before);
    expect((await readProof(await prover.proof({ method: 'POST', url: TOKEN_ENDPOINT }))).payload).not.toHaveProperty('nonce');
  });

  it('reports a key that cannot be had as dpop_failed, without the reason text', async () => {
    const broken: DpopKeyStore = {
      getKey: () => Promise.reject(new TypeError('crypto.subtle is undefined')),
      reset: async () => {},
      persistent: false,
    };
    const prover = createDpopProver({ keyStore: broken });
    await expect(prover.proof({ method: 'GET', url: 'https://api.example/', accessToken: 'at-secret' })).rejects.toMatchObject({
      code: 'dpop_failed',
      cause: { message: 'TypeError' },
    });
    await expect(prover.thumbprint()).rejects.toMatchObject({ code: 'dpop_failed' });
  });
});
