import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OperationsConsole } from '../options.js';
import { securityHeaders } from '../security/headers.js';

/** Largest request body the Node adapter reads (forms are small). */
const MAX_BODY_BYTES = 64 * 1024;

/** Options of {@link toNodeHandler}. */
export interface NodeHandlerOptions {
  /**
   * The path the request URL is read from: Express's mounted routers strip the mount path from
   * `req.url` and keep it in `req.originalUrl`. Default `req.url`.
   */
  readonly url?: (request: IncomingMessage) => string | undefined;
}

async function readBody(request: IncomingMessage): Promise<Uint8Array | undefined> {
  if (request.method === 'GET' || request.method === 'HEAD') return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new RangeError('request body too large');
    chunks.push(buffer);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** Builds a web-standard `Request` from a Node request (the origin from the Host header, http unless the socket is TLS). */
export async function toWebRequest(request: IncomingMessage, path: string): Promise<Request> {
  const secure = (request.socket as { encrypted?: boolean }).encrypted === true;
  const host = request.headers.host ?? 'localhost';
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const body = await readBody(request);
  return new Request(new URL(path, `${secure ? 'https' : 'http'}://${host}`), {
    method: request.method ?? 'GET',
    headers,
    ...(body === undefined ? {} : { body }),
  });
}

/** Writes a web-standard `Response` to a Node response. */
export async function writeWebResponse(response: Response, target: ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name === 'set-cookie') return;
    headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  target.writeHead(response.status, headers);
  target.end(Buffer.from(await response.arrayBuffer()));
}

/**
 * Adapts the console to Node's `http` server: `createServer(toNodeHandler(opsConsole))`. Request
 * bodies over 64 KiB are answered 413 without reaching the console.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { createConsole } from '@checkout/console';
 * import { toNodeHandler } from '@checkout/console/node';
 *
 * declare const csrfSecret: string;
 * const opsConsole = createConsole({
 *   csrfSecret,
 *   authorize: () => ({ id: 'support:alice', canAct: false }),
 *   audit: () => {},
 * });
 * createServer(toNodeHandler(opsConsole)).listen(8080, '127.0.0.1');
 * ```
 */
export function toNodeHandler(
  opsConsole: OperationsConsole,
  options: NodeHandlerOptions = {},
): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  return async (request, response) => {
    let webRequest: Request;
    try {
      webRequest = await toWebRequest(request, options.url?.(request) ?? request.url ?? '/');
    } catch {
      response.writeHead(413, { ...securityHeaders(), 'content-type': 'text/plain; charset=utf-8' });
      response.end('request too large or malformed');
      return;
    }
    await writeWebResponse(await opsConsole.fetch(webRequest), response);
  };
}
