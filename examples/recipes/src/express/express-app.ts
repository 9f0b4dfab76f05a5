import { once } from 'node:events';
import { toHttpResponse } from '@checkout/core';
import { replayHeaders } from '@checkout/idempotency';
import express, { type ErrorRequestHandler } from 'express';
import { type CheckoutConfig, createCheckout } from '../shared/checkout.js';
import { type ListenOptions, type RunningApp, urlOf } from '../shared/running-app.js';

/** Express 5: the checkout API, with the outbox relay and the SQS consumer started and stopped with the server. */
export async function startExpressApp(config: CheckoutConfig, listen: ListenOptions = {}): Promise<RunningApp> {
  const checkout = createCheckout(config);
  const app = express();
  app.use(express.json());

  // Express 5 passes a rejected promise of a handler to the error middleware below.
  app.post('/checkout', async (req, res) => {
    const result = await checkout.placeOrder({
      principal: req.get('x-principal'), // stub: your auth middleware's verified principal in production
      idempotencyKey: req.get('idempotency-key'),
      body: req.body,
    });
    res.status(201).location(`/orders/${result.order.orderId}`).set(replayHeaders(result)).json(result.order);
  });

  app.get('/orders/:id', async (req, res) => {
    res.json(await checkout.getOrder(req.get('x-principal'), req.params.id));
  });

  // Every checkout-kit error (ours, idempotency's 409/422, ...) through core's one mapping; others to Express.
  const checkoutErrors: ErrorRequestHandler = (error, _req, res, next) => {
    const answer = toHttpResponse(error);
    if (answer === undefined) return next(error);
    if (answer.status >= 500) console.error(error); // the body hides 5xx messages: log them
    res.status(answer.status).set(answer.headers).send(answer.body);
  };
  app.use(checkoutErrors);

  const server = app.listen(listen.port ?? 0, listen.host ?? '127.0.0.1');
  const stopServer = () =>
    new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  try {
    await once(server, 'listening'); // rejects with the listen error (EADDRINUSE, ...)
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
      // Stop taking requests (finishes those in flight), then the workers, then the pool.
      await stopServer();
      await checkout.consumer.stop({ timeoutMs: 10_000 }); // running handlers finish, unstarted messages go back
      await checkout.relay.stop(); // finishes the round in flight
      await checkout.close();
    },
  };
}
