import { toHttpResponse } from '@checkout/core';
import { replayHeaders } from '@checkout/idempotency';
import {
  type ArgumentsHost,
  Body,
  Catch,
  Controller,
  type DynamicModule,
  Get,
  Headers,
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  Param,
  Post,
  Res,
} from '@nestjs/common';
import { BaseExceptionFilter, HttpAdapterHost, NestFactory } from '@nestjs/core';
import type { Response } from 'express';
import { type Checkout, type CheckoutConfig, createCheckout } from '../shared/checkout.js';
import type { ListenOptions, RunningApp } from '../shared/running-app.js';

/** Injection token of the {@link Checkout}. Explicit `@Inject(CHECKOUT)`: tsx, esbuild and vitest emit no decorator metadata. */
export const CHECKOUT = Symbol('Checkout');

@Controller()
class CheckoutController {
  constructor(@Inject(CHECKOUT) private readonly checkout: Checkout) {}

  @Post('checkout')
  async placeOrder(
    @Headers('x-principal') principal: string | undefined, // stub: a guard's verified principal in production
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.checkout.placeOrder({ principal, idempotencyKey, body });
    res.status(201).location(`/orders/${result.order.orderId}`).set(replayHeaders(result));
    return result.order;
  }

  @Get('orders/:id')
  getOrder(@Headers('x-principal') principal: string | undefined, @Param('id') id: string) {
    return this.checkout.getOrder(principal, id);
  }
}

/** The relay and the consumer as a background service of the app: started on bootstrap, stopped on shutdown. */
@Injectable()
class CheckoutWorkers implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(CHECKOUT) private readonly checkout: Checkout) {}

  async onApplicationBootstrap() {
    await this.checkout.relay.start();
    this.checkout.consumer.start();
  }

  // Runs after the HTTP server stopped taking requests.
  async onApplicationShutdown() {
    await this.checkout.consumer.stop({ timeoutMs: 10_000 });
    await this.checkout.relay.stop();
    await this.checkout.close();
  }
}

/** Every checkout-kit error through core's one mapping; anything else to Nest's default handling. */
@Catch()
class CheckoutErrorFilter extends BaseExceptionFilter {
  override catch(error: unknown, host: ArgumentsHost) {
    const answer = toHttpResponse(error);
    if (answer === undefined) return super.catch(error, host);
    if (answer.status >= 500) console.error(error); // the body hides 5xx messages: log them
    host.switchToHttp().getResponse<Response>().status(answer.status).set(answer.headers).send(answer.body);
  }
}

/** The checkout module, configured per environment. */
@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest dynamic module is a class with a static `forRoot`
export class CheckoutModule {
  static forRoot(config: CheckoutConfig): DynamicModule {
    return {
      module: CheckoutModule,
      controllers: [CheckoutController],
      providers: [{ provide: CHECKOUT, useFactory: () => createCheckout(config) }, CheckoutWorkers],
    };
  }
}

/**
 * NestJS 12 on Express: the checkout API, with the relay and the consumer as a lifecycle-bound
 * service. `close()` runs the shutdown hooks; in a process Nest owns, `app.enableShutdownHooks()`
 * runs them on SIGTERM instead.
 */
export async function startNestApp(config: CheckoutConfig, listen: ListenOptions = {}): Promise<RunningApp> {
  const app = await NestFactory.create(CheckoutModule.forRoot(config), { logger: ['error', 'warn'] });
  app.useGlobalFilters(new CheckoutErrorFilter(app.get(HttpAdapterHost).httpAdapter));
  try {
    await app.listen(listen.port ?? 0, listen.host ?? '127.0.0.1');
  } catch (error) {
    await app.close(); // bootstrap started the workers before the port failed: the shutdown hooks stop them
    throw error;
  }
  return { url: await app.getUrl(), close: () => app.close() };
}
