import { afterEach, describe, expect, it } from 'vitest';
import { ProviderThrottledError, ProviderUnavailableError } from '../errors.js';
import { EmailSimulator } from './email-provider.js';
import { PaymentProviderSimulator } from './payment-provider.js';
import { PaymentProviderClient, startSimulatorServer } from './simulator-server.js';

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function serve(faults: ConstructorParameters<typeof PaymentProviderSimulator>[0]['faults'] = {}) {
  const payment = new PaymentProviderSimulator({ seed: 1, faults });
  const email = new EmailSimulator();
  const server = await startSimulatorServer({ payment, email });
  stops.push(server.stop);
  return { payment, email, server, client: new PaymentProviderClient(server.url, { timeoutMs: 2_000 }) };
}

const request = { requestId: 'r1', orderId: 'o1', amount: 500, currency: 'EUR', paymentToken: 'tok' };

describe('simulator server', () => {
  it('authorizes over HTTP, idempotent by request id', async () => {
    const { client, payment } = await serve();
    const first = await client.authorize(request);
    expect(await client.authorize(request)).toEqual(first);
    expect(payment.ledger()).toHaveLength(1);
  });

  it('turns a lost response into ProviderUnavailableError while the charge stands', async () => {
    const { client, payment } = await serve({ lostResponseRate: 1 });
    await expect(client.authorize(request)).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(payment.ledger()).toMatchObject([{ requestId: 'r1', status: 'authorized' }]);
    await expect(client.authorize(request)).resolves.toMatchObject({ status: 'authorized' });
  });

  it('answers 429 with Retry-After above the rate limit; the client throws ProviderThrottledError (retryable)', async () => {
    const { client, payment, server } = await serve({ rateLimitPerSecond: 1 });
    await client.authorize(request);
    const error = await client.authorize({ ...request, requestId: 'r2' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderThrottledError);
    expect(error).toMatchObject({ code: 'PROVIDER_THROTTLED', retryAfterSeconds: 1 });
    const raw = await fetch(`${server.url}/payments/void`, {
      method: 'POST',
      body: JSON.stringify({ authorizationId: 'auth_1' }),
    });
    expect([raw.status, raw.headers.get('retry-after')]).toEqual([429, '1']);
    expect(payment.ledger().map((e) => e.requestId)).toEqual(['r1']);
  });

  it('rejects a malformed body with 400 and records nothing', async () => {
    const { server, payment } = await serve();
    const response = await fetch(`${server.url}/payments/authorize`, {
      method: 'POST',
      body: JSON.stringify({ ...request, amount: 1.5 }),
    });
    expect(response.status).toBe(400);
    expect(payment.ledger()).toEqual([]);
  });

  it('records every email sent, duplicates included', async () => {
    const { server, email } = await serve();
    for (let i = 0; i < 2; i += 1) {
      await fetch(`${server.url}/emails`, {
        method: 'POST',
        body: JSON.stringify({ to: 'a@example.com', orderId: 'o1', template: 'receipt' }),
      });
    }
    expect(email.sent()).toHaveLength(2);
  });
});
