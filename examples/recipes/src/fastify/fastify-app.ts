import { toHttpResponse } from '@checkout/core';
import { replayHeaders } from '@checkout/idempotency';
import Fastify from 'fastify';
import { type CheckoutConfig, createCheckout } from '../shared/checkout.js';
import type { ListenOptions, RunningApp } from '../shared/running-app.js';

/** Fastify 5: the checkout API; the relay and the consumer follow the app's `onReady` / `onClose` hooks. */
export async function startFastifyApp(config: CheckoutConfig, listen: ListenOptions = {}): Promise<RunningApp> {
  const checkout = createCheckout(config);
  const app = Fastify();

  app.addHook('onReady', async () => {
    await checkout.relay.start();
    checkout.consumer.start();
  });
  // onClose runs once the server stopped taking requests.
  app.addHook('onClose', async () => {
    await checkout.consumer.stop({ timeoutMs: 10_000 });
    await checkout.relay.stop();
    await checkout.close();
  });

  // Every checkout-kit error through core's one mapping; anything else to Fastify's default handler.
  app.setErrorHandler(async (error, _request, reply) => {
    const answer = toHttpResponse(error);
    if (answer === undefined) throw error;
    if (answer.status >= 500) console.error(error); // the body hides 5xx messages: log them
    return reply.code(answer.status).headers(answer.headers).send(answer.body);
  });

  app.post('/checkout', async (request, reply) => {
    const result = await checkout.placeOrder({
      principal: request.headers['x-principal']?.toString(), // stub: verified auth in production
      idempotencyKey: request.headers['idempotency-key']?.toString(),
      body: request.body,
    });
    return reply
      .code(201)
      .headers({ Location: `/orders/${result.order.orderId}`, ...replayHeaders(result) })
      .send(result.order);
  });

  app.get<{ Params: { id: string } }>('/orders/:id', async (request) =>
    checkout.getOrder(request.headers['x-principal']?.toString(), request.params.id),
  );

  try {
    const address = await app.listen({ port: listen.port ?? 0, host: listen.host ?? '127.0.0.1' });
    return { url: address, close: () => app.close() };
  } catch (error) {
    await app.close(); // listen failed after onReady started the workers: onClose stops them and the pool
    throw error;
  }
}
