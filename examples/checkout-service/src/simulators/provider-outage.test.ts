import { describe, expect, it } from 'vitest';
import { ProviderUnavailableError } from '../errors.js';
import { PaymentProviderSimulator } from './payment-provider.js';

const request = (requestId: string) => ({
  requestId,
  orderId: `order-${requestId}`,
  amount: 1_000,
  currency: 'EUR',
  paymentToken: 'tok_ok',
});

describe('PaymentProviderSimulator outages and request cancels', () => {
  it('answers nothing during an outage (some charges still land), then recovers', async () => {
    const provider = new PaymentProviderSimulator({ seed: 3 });
    provider.startOutage(60_000);
    const ids = Array.from({ length: 20 }, (_, i) => `r${i}`);
    for (const id of ids)
      await expect(provider.authorize(request(id))).rejects.toBeInstanceOf(ProviderUnavailableError);
    await expect(provider.void('auth_1')).rejects.toBeInstanceOf(ProviderUnavailableError);
    await expect(provider.cancel('r0')).rejects.toBeInstanceOf(ProviderUnavailableError);
    const landed = provider.ledger().length;
    expect(landed).toBeGreaterThan(0);
    expect(landed).toBeLessThan(ids.length);
    expect(provider.outages()).toBe(1);
    expect(provider.outageCalls()).toBe(ids.length + 2);
    const recovered = new PaymentProviderSimulator({ seed: 3 });
    recovered.startOutage(0);
    await expect(recovered.authorize(request('x'))).resolves.toMatchObject({ status: 'authorized' });
  });

  it('cancel voids what a request authorized, or makes a later authorize with that id decline', async () => {
    const provider = new PaymentProviderSimulator({ seed: 1 });
    await provider.authorize(request('charged'));
    await provider.cancel('charged');
    await provider.cancel('charged'); // idempotent
    await provider.cancel('unseen');
    await expect(provider.authorize(request('unseen'))).resolves.toMatchObject({ status: 'declined' });
    expect(provider.ledger()).toMatchObject([
      { requestId: 'charged', status: 'voided' },
      { requestId: 'unseen', status: 'declined' },
    ]);
  });
});
