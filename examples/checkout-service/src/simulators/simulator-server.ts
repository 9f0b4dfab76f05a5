import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { ProviderThrottledError, ProviderUnavailableError } from '../errors.js';
import type { EmailSimulator } from './email-provider.js';
import type { AuthorizeRequest, AuthorizeResult, PaymentProviderSimulator } from './payment-provider.js';

const AuthorizeBody = z
  .object({
    requestId: z.string().min(1).max(200),
    orderId: z.string().min(1).max(200),
    amount: z.number().int().nonnegative(),
    currency: z.string().regex(/^[A-Z]{3}$/),
    paymentToken: z.string().min(1).max(256),
  })
  .strict();
const VoidBody = z.object({ authorizationId: z.string().min(1).max(200) }).strict();
const CancelBody = z.object({ requestId: z.string().min(1).max(200) }).strict();
const EmailBody = z
  .object({ to: z.string().min(1).max(320), orderId: z.string().min(1), template: z.string().min(1) })
  .strict();

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function throttled(res: ServerResponse, error: ProviderThrottledError): void {
  res
    .writeHead(429, { 'content-type': 'application/json', 'retry-after': String(error.retryAfterSeconds) })
    .end(JSON.stringify({ error: 'rate limit exceeded' }));
}

/**
 * Serves the simulators over HTTP on 127.0.0.1 so that worker processes (which a chaos run kills and
 * restarts) share one provider ledger. A "lost response" is a destroyed socket after the charge.
 */
export async function startSimulatorServer(simulators: {
  readonly payment: PaymentProviderSimulator;
  readonly email: EmailSimulator;
}): Promise<{ readonly url: string; stop(): Promise<void> }> {
  const server = createServer((req, res) => {
    void (async () => {
      try {
        if (req.method === 'POST' && req.url === '/payments/authorize') {
          const body = AuthorizeBody.safeParse(await readJson(req));
          if (!body.success) return send(res, 400, { error: body.error.issues });
          try {
            return send(res, 200, await simulators.payment.authorize(body.data));
          } catch (error) {
            if (error instanceof ProviderUnavailableError) return req.socket.destroy();
            if (error instanceof ProviderThrottledError) return throttled(res, error);
            throw error;
          }
        }
        if (req.method === 'POST' && req.url === '/payments/void') {
          const body = VoidBody.safeParse(await readJson(req));
          if (!body.success) return send(res, 400, { error: body.error.issues });
          try {
            return send(res, 200, await simulators.payment.void(body.data.authorizationId));
          } catch (error) {
            if (error instanceof ProviderUnavailableError) return req.socket.destroy();
            if (error instanceof ProviderThrottledError) return throttled(res, error);
            throw error;
          }
        }
        if (req.method === 'POST' && req.url === '/payments/cancel') {
          const body = CancelBody.safeParse(await readJson(req));
          if (!body.success) return send(res, 400, { error: body.error.issues });
          try {
            return send(res, 200, await simulators.payment.cancel(body.data.requestId));
          } catch (error) {
            if (error instanceof ProviderUnavailableError) return req.socket.destroy();
            if (error instanceof ProviderThrottledError) return throttled(res, error);
            throw error;
          }
        }
        if (req.method === 'POST' && req.url === '/emails') {
          const body = EmailBody.safeParse(await readJson(req));
          if (!body.success) return send(res, 400, { error: body.error.issues });
          return send(res, 200, await simulators.email.send(body.data));
        }
        if (req.method === 'GET' && req.url === '/payments/ledger') return send(res, 200, simulators.payment.ledger());
        if (req.method === 'GET' && req.url === '/emails') return send(res, 200, simulators.email.sent());
        return send(res, 404, { error: 'not found' });
      } catch (error) {
        return send(res, 500, { error: error instanceof Error ? error.message : 'internal error' });
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const AuthorizeResultSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('authorized'), authorizationId: z.string() }),
  z.object({ status: z.literal('declined'), reason: z.string() }),
]);

/** HTTP client of the payment simulator, as a worker would call a real provider. */
export class PaymentProviderClient {
  readonly #url: string;
  readonly #timeoutMs: number;
  readonly #apiKey: string | undefined;

  /** `apiKey`: sent as `Authorization: Bearer <apiKey>` (the deployed workers read it from Secrets Manager). */
  constructor(url: string, options: { readonly timeoutMs?: number; readonly apiKey?: string } = {}) {
    this.#url = url;
    this.#timeoutMs = options.timeoutMs ?? 5_000;
    this.#apiKey = options.apiKey;
  }

  /**
   * Authorizes; a timeout, dropped connection or 5xx is {@link ProviderUnavailableError} (outcome
   * unknown), a 429 is {@link ProviderThrottledError} (refused before doing anything).
   */
  async authorize(request: AuthorizeRequest): Promise<AuthorizeResult> {
    return AuthorizeResultSchema.parse(await this.#post('/payments/authorize', request));
  }

  /** Voids an authorization (idempotent at the provider). */
  async void(authorizationId: string): Promise<void> {
    await this.#post('/payments/void', { authorizationId });
  }

  /** Cancels an authorization request by its request id, seen by the provider or not (idempotent). */
  async cancel(requestId: string): Promise<void> {
    await this.#post('/payments/cancel', { requestId });
  }

  async #post(path: string, body: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.#url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.#apiKey === undefined ? {} : { authorization: `Bearer ${this.#apiKey}` }),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw new ProviderUnavailableError(error instanceof Error ? error.message : String(error), error);
    }
    if (response.status >= 500) throw new ProviderUnavailableError(`HTTP ${response.status}`);
    if (response.status === 429) {
      const retryAfter = Number(response.headers.get('retry-after'));
      throw new ProviderThrottledError(Number.isInteger(retryAfter) && retryAfter > 0 ? retryAfter : 1);
    }
    if (!response.ok) throw new Error(`payment provider rejected ${path}: HTTP ${response.status}`);
    return response.json();
  }
}

/** HTTP client of the email simulator, for worker processes. */
export class EmailProviderClient {
  readonly #url: string;

  constructor(url: string) {
    this.#url = url;
  }

  /** Sends one email (the simulator records every send). */
  async send(email: { readonly to: string; readonly orderId: string; readonly template: string }): Promise<void> {
    const response = await fetch(`${this.#url}/emails`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(email),
      signal: AbortSignal.timeout(5_000),
    });
    if (!response.ok) throw new Error(`email provider answered HTTP ${response.status}`);
  }
}
