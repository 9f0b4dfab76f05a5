import { describe, expect, it } from 'vitest';
import { ProviderThrottledError, ProviderUnavailableError } from '../errors.js';
import { DECLINED_TOKEN, PaymentProviderSimulator } from './payment-provider.js';

const request = (requestId: string, paymentToken = 'tok_ok') => ({
  requestId,
  orderId: `order-${requestId}`,
  amount: 1_000,
  currency: 'EUR',
  paymentToken,
});

describe('PaymentProviderSimulator', () => {
  it('charges once per request id, however often it is called', async () => {
    const provider = new PaymentProviderSimulator({ seed: 1 });
    const results = await Promise.all(Array.from({ length: 5 }, () => provider.authorize(request('r1'))));
    expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
    expect(provider.ledger()).toHaveLength(1);
  });

  it('loses a response after charging, and a retry with the same id returns the charge', async () => {
    const provider = new PaymentProviderSimulator({ seed: 7, faults: { lostResponseRate: 1 } });
    await expect(provider.authorize(request('r1'))).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(provider.ledger()).toMatchObject([{ requestId: 'r1', status: 'authorized' }]);
    await expect(provider.authorize(request('r1'))).resolves.toMatchObject({ status: 'authorized' });
    expect(provider.ledger()).toHaveLength(1);
    expect(provider.lostResponses()).toEqual(['r1']);
  });

  it('lostResponsesPerRequest: loses that many answers in a row, then answers with the one charge', async () => {
    const provider = new PaymentProviderSimulator({
      seed: 7,
      faults: { lostResponseRate: 1, lostResponsesPerRequest: 2 },
    });
    await expect(provider.authorize(request('r1'))).rejects.toBeInstanceOf(ProviderUnavailableError);
    await expect(provider.authorize(request('r1'))).rejects.toBeInstanceOf(ProviderUnavailableError);
    await expect(provider.authorize(request('r1'))).resolves.toMatchObject({ status: 'authorized' });
    expect(provider.ledger()).toHaveLength(1);
    expect(provider.lostResponses()).toEqual(['r1']);
  });

  it('an outage decides some requests without answering; a declined card stays declined', async () => {
    const provider = new PaymentProviderSimulator({ seed: 5 });
    provider.startOutage(60_000);
    const ids = Array.from({ length: 20 }, (_, i) => `o${i}`);
    for (const id of ids) {
      await expect(provider.authorize(request(id, DECLINED_TOKEN))).rejects.toBeInstanceOf(ProviderUnavailableError);
    }
    expect(provider.ledger().length).toBeGreaterThan(0);
    expect(provider.ledger().every((entry) => entry.status === 'declined')).toBe(true);
  });

  it('declines the decline token and by rate, deterministically per seed', async () => {
    const provider = new PaymentProviderSimulator({ seed: 3 });
    expect(await provider.authorize(request('d', DECLINED_TOKEN))).toEqual({
      status: 'declined',
      reason: 'card_declined',
    });
    const outcomes = async (seed: number) => {
      const p = new PaymentProviderSimulator({ seed, faults: { declineRate: 0.5 } });
      const list = [];
      for (let i = 0; i < 40; i += 1) list.push((await p.authorize(request(`r${i}`))).status);
      return list;
    };
    const first = await outcomes(42);
    expect(await outcomes(42)).toEqual(first);
    expect(first).toContain('declined');
    expect(first).toContain('authorized');
  });

  it('voids an authorization idempotently', async () => {
    const provider = new PaymentProviderSimulator({ seed: 1 });
    const result = await provider.authorize(request('r1'));
    if (result.status !== 'authorized') throw new Error('expected an authorization');
    await provider.void(result.authorizationId);
    await provider.void(result.authorizationId);
    expect(provider.ledger()).toMatchObject([{ requestId: 'r1', status: 'voided' }]);
  });

  it('refuses calls above its rate limit with 429 before charging, and accepts again a second later', async () => {
    const provider = new PaymentProviderSimulator({ seed: 1, faults: { rateLimitPerSecond: 3 } });
    const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => provider.authorize(request(`t${i}`))));
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(2);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ProviderThrottledError);
    expect(provider.ledger()).toHaveLength(3); // nothing charged for a refused call
    expect(provider.throttled()).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    await expect(provider.authorize(request('t9'))).resolves.toMatchObject({ status: 'authorized' });
  });
});
