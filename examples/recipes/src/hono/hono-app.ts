import { once } from 'node:events';
import { toHttpResponse } from '@checkout/core';
import { replayHeaders } from '@checkout/idempotency';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { type CheckoutConfig, createCheckout } from '../shared/checkout.js';
import { type ListenOptions, type RunningApp, urlOf } from '../shared/running-app.js';

/** Hono on Node (`@hono/node-server`): the checkout API, with the relay and the consumer tied to the server. */
export async function startHonoApp(config: CheckoutConfig, listen: ListenOptions = {}): Promise<RunningApp> {
  const checkout = createCheckout(config);
  const app = new Hono();

  app.post('/checkout', async (c) => {
    const result = await checkout.placeOrder({
      principal: c.req.header('x-principal'), // stub: verified auth in production
      idempotencyKey: c.req.header('idempotency-key'),
      body: await c.req.json().catch(() => undefined), // not JSON: a 400 naming `body`
    });
    return c.json(result.order, 201, { Location: `/orders/${result.order.orderId}`, ...replayHeaders(result) });
  });

  app.get('/orders/:id', async (c) => c.json(await checkout.getOrder(c.req.header('x-principal'), c.req.param('id'))));

  // Every checkout-kit error through core's one mapping; Hono's own HTTP errors as they are.
  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    const answer = toHttpResponse(error);
    if (answer === undefined || answer.status >= 500) console.error(error); // 5xx bodies say nothing: log them
    if (answer === undefined) return c.json({ error: { code: 'INTERNAL', message: 'Internal error' } }, 500);
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  });

  const server = serve({ fetch: app.fetch, port: listen.port ?? 0, hostname: listen.host ?? '127.0.0.1' });
  const stopServer = () =>
    new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  try {
    await once(server, 'listening'); // rejects with the listen error (EADDRINUSE, ...) instead of an unhandled 'error'
  } catch (error) {
    await checkout.close(); // nothing started yet but the pool
    throw error;
  }
  try {
    await checkout.relay.start();
    checkout.consumer.start();
  } catch (error) {
    await stopServer();
    await checkout.close();
    throw error;
  }

  return {
    url: urlOf(server.address()),
    async close() {
      await stopServer();
      await checkout.consumer.stop({ timeoutMs: 10_000 });
      await checkout.relay.stop();
      await checkout.close();
    },
  };
}
