import { isCheckoutError } from '@checkout/core';
import {
  type DeadLetterMessage,
  getQueueSnapshot,
  listDeadLetters,
  matchesFilter,
  type RedriveFilter,
  redriveDeadLetters,
} from '@checkout/workers';
import { SCRIPT } from './assets/script.js';
import { STYLESHEET } from './assets/stylesheet.js';
import { ConsoleConfigError, type ConsoleErrorCode, ConsoleInputError } from './errors.js';
import { html, type SafeHtml } from './html.js';
import type { ConsoleAuditEvent, ConsoleOperator, ConsoleOptions, ConsoleQueue, OperationsConsole } from './options.js';
import { csrfToken, isNonce, newNonce, sameToken } from './security/csrf.js';
import { securityHeaders } from './security/headers.js';
import { type DeadLetterFilter, deadLettersBody, redriveResultBody } from './views/dead-letters.js';
import { layout, type PageContext } from './views/layout.js';
import { orderBody } from './views/order.js';
import { type Loaded, overviewBody, type QueueRow } from './views/overview.js';

const CSRF_COOKIE = 'checkout_console_csrf';
const MAX_FORM_BYTES = 16 * 1024;
const MAX_ID_CHARS = 200;
const MAX_REASON_CHARS = 1_000;
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
// C0/C1 controls (tab and newline allowed only in a reason).
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them
const CONTROL_OR_NEWLINE = /[\u0000-\u001f\u007f-\u009f]/;

type Refusal = { readonly status: number; readonly code: ConsoleErrorCode; readonly message: string };

function validateOptions<DB>(options: ConsoleOptions<DB>): void {
  if (typeof options !== 'object' || options === null) throw new ConsoleConfigError('options', 'must be an object');
  if (typeof options.authorize !== 'function')
    throw new ConsoleConfigError(
      'authorize',
      'is required: a function returning the operator (no default open access)',
    );
  if (typeof options.audit !== 'function')
    throw new ConsoleConfigError('audit', 'is required: every action taken through the console is audited');
  if (
    options.wwwAuthenticate !== undefined &&
    (typeof options.wwwAuthenticate !== 'string' || /[\r\n]/.test(options.wwwAuthenticate))
  )
    throw new ConsoleConfigError('wwwAuthenticate', 'must be a header value (no line breaks)');
  if (typeof options.csrfSecret !== 'string' || options.csrfSecret.length < 32)
    throw new ConsoleConfigError('csrfSecret', 'must be a string of at least 32 characters');
  const basePath = options.basePath ?? '';
  if (typeof basePath !== 'string' || (basePath !== '' && !/^(\/[A-Za-z0-9._~-]+)+$/.test(basePath)))
    throw new ConsoleConfigError('basePath', "must be '' or a path like /ops (no trailing slash)");
  if ((options.orders !== undefined || options.outbox !== undefined) && options.db === undefined)
    throw new ConsoleConfigError('db', 'is required with orders or outbox');
  if (options.orders !== undefined && typeof options.orders.store?.get !== 'function')
    throw new ConsoleConfigError('orders.store', 'must be a state store (createStateStore)');
  const queues = options.queues ?? [];
  if (!Array.isArray(queues)) throw new ConsoleConfigError('queues', 'must be an array');
  if (queues.length > 0 && options.sqs === undefined) throw new ConsoleConfigError('sqs', 'is required with queues');
  const names = new Set<string>();
  queues.forEach((queue: ConsoleQueue, index) => {
    if (typeof queue?.name !== 'string' || !QUEUE_NAME.test(queue.name))
      throw new ConsoleConfigError(`queues[${index}].name`, 'must be 1-80 ASCII letters, digits, - or _');
    if (names.has(queue.name)) throw new ConsoleConfigError(`queues[${index}].name`, `${queue.name} appears twice`);
    names.add(queue.name);
    if (typeof queue.queueUrl !== 'string' || queue.queueUrl === '')
      throw new ConsoleConfigError(`queues[${index}].queueUrl`, 'must be a queue URL');
    const alarm = queue.oldestAgeAlarmSeconds;
    if (alarm !== undefined && (!Number.isInteger(alarm) || alarm < 1))
      throw new ConsoleConfigError(`queues[${index}].oldestAgeAlarmSeconds`, 'must be a whole number >= 1');
  });
  const positive = (field: string, value: number | undefined, max: number) => {
    if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > max))
      throw new ConsoleConfigError(field, `must be a whole number from 1 to ${max}`);
  };
  positive('maxDeadLetters', options.maxDeadLetters, 1_000);
  positive('requestTimeoutMs', options.requestTimeoutMs, 300_000);
  positive('outboxOldestAlarmMs', options.outboxOldestAlarmMs, Number.MAX_SAFE_INTEGER);
}

function cookieValue(request: Request, name: string): string | undefined {
  const header = request.headers.get('cookie');
  if (header === null) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function messageOf(error: unknown): string {
  if (isCheckoutError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** Checks a text field of a request: present when required, bounded, no control characters. */
function textField(
  field: string,
  value: string | null,
  options: { required: boolean; max: number; multiline?: boolean; trim?: boolean },
): string {
  const text = options.trim === false ? (value ?? '') : (value ?? '').trim();
  if (text === '') {
    if (options.required) throw new ConsoleInputError(field, 'is required');
    return '';
  }
  if (text.length > options.max) throw new ConsoleInputError(field, `must be at most ${options.max} characters`);
  if ((options.multiline === true ? CONTROL : CONTROL_OR_NEWLINE).test(text))
    throw new ConsoleInputError(field, 'must not contain control characters');
  return text;
}

/**
 * Builds the console: a `fetch(request)` handler that serves the overview, the DLQ browser, order
 * timelines and the repair actions under `basePath`. Every request passes `authorize` first (401
 * without an operator); actions need POST, an operator with `canAct`, a same-origin request and a
 * valid CSRF token, and each one is given to `audit`. Every value shown is HTML-escaped; pages load
 * only the console's own stylesheet and script under a strict Content-Security-Policy.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { createConsole } from '@checkout/console';
 * import { toNodeHandler } from '@checkout/console/node';
 *
 * const opsConsole = createConsole({
 *   basePath: '/ops',
 *   csrfSecret: process.env.CONSOLE_CSRF_SECRET ?? '',
 *   authorize: (request) =>
 *     request.headers.get('x-operator') === 'alice' ? { id: 'support:alice', canAct: true } : undefined,
 *   audit: (event) => console.log(JSON.stringify(event)),
 * });
 * createServer(toNodeHandler(opsConsole)).listen(8080, '127.0.0.1');
 * ```
 */
export function createConsole<DB = unknown>(options: ConsoleOptions<DB>): OperationsConsole {
  validateOptions(options);
  const basePath = options.basePath ?? '';
  const title = options.title ?? 'checkout console';
  const now = options.now ?? Date.now;
  const maxDeadLetters = options.maxDeadLetters ?? 100;
  const requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
  const queues = new Map((options.queues ?? []).map((queue) => [queue.name, queue]));
  const reportError = (stage: string, error: unknown) => {
    try {
      options.observer?.error?.({ stage, error });
    } catch {
      // an observer that throws is ignored
    }
  };
  const load = async <T>(stage: string, read: () => Promise<T> | T): Promise<Loaded<T>> => {
    try {
      return { ok: true, value: await read() };
    } catch (error) {
      reportError(stage, error);
      return { ok: false, error: messageOf(error) };
    }
  };

  function respond(status: number, body: string, contentType: string, extra: Record<string, string> = {}): Response {
    return new Response(body, { status, headers: { ...securityHeaders(), 'Content-Type': contentType, ...extra } });
  }

  function page(
    ctx: PageContext,
    heading: string,
    body: SafeHtml,
    status = 200,
    extra: Record<string, string> = {},
  ): Response {
    return respond(status, layout(ctx, heading, body), 'text/html; charset=utf-8', extra);
  }

  function refusal(ctx: PageContext, refused: Refusal, extra: Record<string, string> = {}): Response {
    return page(
      ctx,
      refused.status === 404 ? 'Not found' : 'Refused',
      html`<div class="flash error" data-testid="refusal"><strong>${refused.code}</strong>: ${refused.message}</div><p><a href="${ctx.basePath}/">Back to the overview</a></p>`,
      refused.status,
      { 'X-Console-Error': refused.code, ...extra },
    );
  }

  async function audit(event: Omit<ConsoleAuditEvent, 'at'>): Promise<string | undefined> {
    try {
      await options.audit({ ...event, at: now() });
      return undefined;
    } catch (error) {
      reportError('audit', error);
      return messageOf(error);
    }
  }

  async function overview(ctx: PageContext, flash?: SafeHtml): Promise<Response> {
    const sqs = options.sqs;
    const rows = await Promise.all(
      [...queues.values()].map(async (queue): Promise<QueueRow> => {
        const [snapshot, deadLetters, oldest] = await Promise.all([
          load(`queue:${queue.name}`, async () =>
            sqs === undefined
              ? { visible: 0, inFlight: 0, delayed: 0 }
              : getQueueSnapshot(sqs, queue.queueUrl, { requestTimeoutMs }),
          ),
          queue.deadLetterQueueUrl === undefined || sqs === undefined
            ? undefined
            : load(`dlq:${queue.name}`, async () => {
                const s = await getQueueSnapshot(sqs, queue.deadLetterQueueUrl as string, { requestTimeoutMs });
                return s.visible + s.inFlight + s.delayed;
              }),
          load(`oldest-age:${queue.name}`, () => queue.oldestAgeSeconds?.()),
        ]);
        return {
          name: queue.name,
          hasDeadLetters: queue.deadLetterQueueUrl !== undefined,
          alarmSeconds: queue.oldestAgeAlarmSeconds,
          queue: snapshot,
          deadLetters,
          oldestAgeSeconds: oldest,
        };
      }),
    );
    const db = options.db;
    const outbox = options.outbox;
    const deadlines = options.deadlines;
    const [outboxStats, deadlineStats] = await Promise.all([
      outbox === undefined || db === undefined ? undefined : load('outbox', () => outbox.stats(db)),
      deadlines === undefined ? undefined : load('deadlines', () => deadlines.stats()),
    ]);
    return page(
      ctx,
      'Overview',
      overviewBody(ctx, {
        queues: rows,
        outbox: outboxStats,
        outboxAlarmMs: options.outboxOldestAlarmMs ?? 60_000,
        deadlines: deadlineStats,
        ...(flash === undefined ? {} : { flash }),
      }),
    );
  }

  function deadLetterQueue(name: string): (ConsoleQueue & { deadLetterQueueUrl: string }) | undefined {
    const queue = queues.get(name);
    return queue?.deadLetterQueueUrl === undefined
      ? undefined
      : { ...queue, deadLetterQueueUrl: queue.deadLetterQueueUrl };
  }

  function dlqFilter(reason: string | null, type: string | null): DeadLetterFilter {
    return {
      reason: textField('reason', reason, { required: false, max: MAX_ID_CHARS }),
      type: textField('type', type, { required: false, max: MAX_ID_CHARS }),
    };
  }

  function redriveFilter(filter: DeadLetterFilter): RedriveFilter {
    return {
      ...(filter.reason === '' ? {} : { reasons: [filter.reason] }),
      ...(filter.type === '' ? {} : { types: [filter.type] }),
    };
  }

  async function deadLettersPage(ctx: PageContext, name: string, url: URL): Promise<Response> {
    const queue = deadLetterQueue(name);
    if (queue === undefined || options.sqs === undefined)
      return refusal(ctx, { status: 404, code: 'CONSOLE_NOT_FOUND', message: `no queue with a DLQ named ${name}` });
    const filter = dlqFilter(url.searchParams.get('reason'), url.searchParams.get('type'));
    let all: DeadLetterMessage[];
    try {
      all = await listDeadLetters({
        client: options.sqs,
        queueUrl: queue.deadLetterQueueUrl,
        maxMessages: maxDeadLetters,
        requestTimeoutMs,
      });
    } catch (error) {
      reportError(`dlq:${name}`, error);
      return refusal(ctx, { status: 503, code: 'CONSOLE_UNAVAILABLE', message: messageOf(error) });
    }
    const at = now();
    const shown = all.filter((m) => matchesFilter(m, redriveFilter(filter), at));
    return page(ctx, `DLQ of ${name}`, deadLettersBody(ctx, name, shown, all, filter, maxDeadLetters));
  }

  async function redrive(
    ctx: PageContext,
    operator: ConsoleOperator,
    name: string,
    form: URLSearchParams,
  ): Promise<Response> {
    const queue = deadLetterQueue(name);
    if (queue === undefined || options.sqs === undefined)
      return refusal(ctx, { status: 404, code: 'CONSOLE_NOT_FOUND', message: `no queue with a DLQ named ${name}` });
    const filter = dlqFilter(form.get('reason'), form.get('type'));
    const mode = form.get('mode');
    if (mode !== 'dry-run' && mode !== 'redrive') throw new ConsoleInputError('mode', "must be 'dry-run' or 'redrive'");
    const dryRun = mode === 'dry-run';
    const detail = { dryRun, reason: filter.reason, type: filter.type };
    try {
      const result = await redriveDeadLetters({
        client: options.sqs,
        deadLetterQueueUrl: queue.deadLetterQueueUrl,
        targetQueueUrl: queue.queueUrl,
        filter: redriveFilter(filter),
        dryRun,
        moveTask: 'never',
        maxMessages: maxDeadLetters,
        requestTimeoutMs,
      });
      const auditFailure = await audit({
        action: 'redrive',
        operator: operator.id,
        outcome: 'done',
        target: `queue:${name}`,
        detail: { ...detail, matched: result.matched, moved: result.moved, failed: result.failed },
      });
      const body = redriveResultBody(ctx, name, filter, result);
      return page(ctx, dryRun ? `Dry-run redrive of ${name}` : `Redrive of ${name}`, auditWarning(body, auditFailure));
    } catch (error) {
      await audit({
        action: 'redrive',
        operator: operator.id,
        outcome: 'failed',
        target: `queue:${name}`,
        detail: { ...detail, error: messageOf(error) },
      });
      throw error;
    }
  }

  function auditWarning(body: SafeHtml, failure: string | undefined): SafeHtml {
    return failure === undefined
      ? body
      : html`<div class="flash error" data-testid="audit-failed"><strong>CONSOLE_AUDIT_FAILED</strong>: the action ran but its audit failed: ${failure}</div>${body}`;
  }

  function orderId(raw: string): string {
    let id: string;
    try {
      id = decodeURIComponent(raw);
    } catch {
      throw new ConsoleInputError('orderId', 'is not a valid URL path segment');
    }
    // Ids are looked up as given (not trimmed): ' o-1' is not 'o-1'.
    return textField('orderId', id, { required: true, max: MAX_ID_CHARS, trim: false });
  }

  async function orderPage(ctx: PageContext, id: string, flash?: SafeHtml): Promise<Response> {
    const orders = options.orders;
    const db = options.db;
    if (orders === undefined || db === undefined)
      return refusal(ctx, { status: 404, code: 'CONSOLE_NOT_FOUND', message: 'orders are not configured' });
    const [snapshot, history, paymentIntent, reservation] = await Promise.all([
      load('order', () => orders.store.get(db, id)),
      load('history', () => orders.store.history(db, id)),
      orders.paymentIntent === undefined ? undefined : load('payment-intent', () => orders.paymentIntent?.(id)),
      orders.reservation === undefined ? undefined : load('reservation', () => orders.reservation?.(id)),
    ]);
    if (!history.ok) return refusal(ctx, { status: 503, code: 'CONSOLE_UNAVAILABLE', message: history.error });
    if (!snapshot.ok && history.value.length === 0)
      return refusal(ctx, { status: 404, code: 'CONSOLE_NOT_FOUND', message: `no order ${id}` });
    return page(
      ctx,
      `Order ${id}`,
      orderBody(ctx, {
        id,
        machine: orders.store.machine,
        snapshot,
        history: history.value,
        paymentIntent,
        reservation,
        ...(flash === undefined ? {} : { flash }),
      }),
    );
  }

  async function force(
    ctx: PageContext,
    operator: ConsoleOperator,
    id: string,
    form: URLSearchParams,
  ): Promise<Response> {
    const orders = options.orders;
    const db = options.db;
    if (orders === undefined || db === undefined)
      return refusal(ctx, { status: 404, code: 'CONSOLE_NOT_FOUND', message: 'orders are not configured' });
    const to = textField('to', form.get('to'), { required: true, max: MAX_ID_CHARS });
    if (!(orders.store.machine.states as readonly string[]).includes(to))
      throw new ConsoleInputError('to', `is not a state of ${orders.store.machine.id}`);
    const reason = textField('reason', form.get('reason'), { required: true, max: MAX_REASON_CHARS, multiline: true });
    const versionText = textField('expectedVersion', form.get('expectedVersion'), { required: false, max: 12 });
    const expectedVersion = versionText === '' ? undefined : Number(versionText);
    if (expectedVersion !== undefined && (!Number.isSafeInteger(expectedVersion) || expectedVersion < 1))
      throw new ConsoleInputError('expectedVersion', 'must be a whole number >= 1');
    const detail = { to, reason, ...(expectedVersion === undefined ? {} : { expectedVersion }) };
    const eventId = `console:force:${newNonce()}`;
    let version: number;
    try {
      const result = await db.transaction().execute((trx) =>
        orders.store.force(trx, {
          id,
          to,
          eventId,
          actor: operator.id,
          reason,
          ...(expectedVersion === undefined ? {} : { expectedVersion }),
        }),
      );
      version = result.snapshot.version;
    } catch (error) {
      await audit({
        action: 'force',
        operator: operator.id,
        outcome: 'failed',
        target: `order:${id}`,
        detail: { ...detail, error: messageOf(error) },
      });
      throw error;
    }
    const auditFailure = await audit({
      action: 'force',
      operator: operator.id,
      outcome: 'done',
      target: `order:${id}`,
      detail: { ...detail, eventId, version },
    });
    return orderPage(
      ctx,
      id,
      auditWarning(
        html`<div class="flash" data-testid="force-done">Forced to <strong>${to}</strong> (version ${version}) by ${operator.id}.</div>`,
        auditFailure,
      ),
    );
  }

  async function requeueDead(ctx: PageContext, operator: ConsoleOperator, form: URLSearchParams): Promise<Response> {
    const outbox = options.outbox;
    const db = options.db;
    if (outbox === undefined || db === undefined)
      return refusal(ctx, { status: 404, code: 'CONSOLE_NOT_FOUND', message: 'the outbox is not configured' });
    const destination = textField('destination', form.get('destination'), { required: false, max: MAX_ID_CHARS });
    const groupKey = textField('groupKey', form.get('groupKey'), { required: false, max: MAX_ID_CHARS });
    const filter = { ...(destination === '' ? {} : { destination }), ...(groupKey === '' ? {} : { groupKey }) };
    let count: number;
    try {
      count = await outbox.requeueDead(db, filter);
    } catch (error) {
      await audit({
        action: 'requeue-dead',
        operator: operator.id,
        outcome: 'failed',
        target: 'outbox',
        detail: { ...filter, error: messageOf(error) },
      });
      throw error;
    }
    const auditFailure = await audit({
      action: 'requeue-dead',
      operator: operator.id,
      outcome: 'done',
      target: 'outbox',
      detail: { ...filter, requeued: count },
    });
    return overview(
      ctx,
      auditWarning(
        html`<div class="flash" data-testid="requeue-done">${count} dead outbox row(s) requeued.</div>`,
        auditFailure,
      ),
    );
  }

  async function readForm(request: Request): Promise<URLSearchParams> {
    const type = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded')
      throw new ConsoleInputError('body', 'must be a form (application/x-www-form-urlencoded)');
    const declared = Number(request.headers.get('content-length') ?? '0');
    if (declared > MAX_FORM_BYTES) throw new ConsoleInputError('body', `must be at most ${MAX_FORM_BYTES} bytes`);
    const text = await request.text();
    if (text.length > MAX_FORM_BYTES) throw new ConsoleInputError('body', `must be at most ${MAX_FORM_BYTES} bytes`);
    return new URLSearchParams(text);
  }

  /** Why a POST is not same-origin, or undefined when it is. */
  function crossSite(request: Request, url: URL): string | undefined {
    const site = request.headers.get('sec-fetch-site');
    if (site !== null && site !== 'same-origin') return `Sec-Fetch-Site is ${site}`;
    const origin = request.headers.get('origin');
    if (origin !== null && origin !== url.origin) return `Origin ${origin} is not ${url.origin}`;
    return undefined;
  }

  async function handle(request: Request): Promise<Response> {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return respond(400, 'bad request URL', 'text/plain; charset=utf-8', {
        'X-Console-Error': 'CONSOLE_INVALID_INPUT',
      });
    }
    const path = url.pathname;
    if (path !== basePath && !path.startsWith(`${basePath}/`))
      return respond(404, 'not found', 'text/plain; charset=utf-8', { 'X-Console-Error': 'CONSOLE_NOT_FOUND' });
    const route = path.slice(basePath.length) || '/';
    const anonymous: PageContext = {
      basePath,
      title,
      operator: undefined,
      csrf: '',
      canAct: false,
      hasOrders: false,
      now: now(),
    };
    let operator: ConsoleOperator | undefined;
    try {
      const found = await options.authorize(request);
      if (found !== undefined && found !== null) {
        if (typeof found.id !== 'string' || found.id === '' || typeof found.canAct !== 'boolean')
          throw new ConsoleConfigError(
            'authorize',
            'must return { id: non-empty string, canAct: boolean } or undefined',
          );
        operator = { id: found.id, canAct: found.canAct };
      }
    } catch (error) {
      reportError('authorize', error);
      return refusal(anonymous, { status: 500, code: 'CONSOLE_UNAVAILABLE', message: 'authorization failed' });
    }
    if (operator === undefined)
      return refusal(
        anonymous,
        { status: 401, code: 'CONSOLE_UNAUTHORIZED', message: 'sign in to use the console' },
        options.wwwAuthenticate === undefined ? {} : { 'WWW-Authenticate': options.wwwAuthenticate },
      );
    if (request.method === 'GET' || request.method === 'HEAD') {
      if (route === '/assets/console.css') return respond(200, STYLESHEET, 'text/css; charset=utf-8');
      if (route === '/assets/console.js') return respond(200, SCRIPT, 'text/javascript; charset=utf-8');
    }
    const canAct = operator.canAct && options.readOnly !== true;
    const cookieNonce = cookieValue(request, CSRF_COOKIE);
    const nonce = isNonce(cookieNonce) ? cookieNonce : newNonce();
    const cookie =
      nonce === cookieNonce
        ? {}
        : {
            'Set-Cookie': `${CSRF_COOKIE}=${nonce}; Path=${basePath || '/'}; HttpOnly; SameSite=Strict${url.protocol === 'https:' ? '; Secure' : ''}`,
          };
    const ctx: PageContext = {
      basePath,
      title,
      operator,
      csrf: canAct ? await csrfToken(options.csrfSecret, nonce, operator.id) : '',
      canAct,
      hasOrders: options.orders !== undefined,
      now: now(),
    };
    const withCookie = (response: Response) => {
      for (const [name, value] of Object.entries(cookie)) response.headers.append(name, value);
      return response;
    };
    const segments = route.split('/').slice(1);
    try {
      if (request.method === 'GET' || request.method === 'HEAD') {
        if (route === '/') return withCookie(await overview(ctx));
        if (segments[0] === 'queues' && segments.length === 3 && segments[2] === 'dead-letters')
          return withCookie(await deadLettersPage(ctx, segments[1] ?? '', url));
        if (route === '/orders') {
          const id = textField('id', url.searchParams.get('id'), { required: true, max: MAX_ID_CHARS });
          return respond(303, '', 'text/plain; charset=utf-8', {
            Location: `${basePath}/orders/${encodeURIComponent(id)}`,
          });
        }
        if (segments[0] === 'orders' && segments.length === 2)
          return withCookie(await orderPage(ctx, orderId(segments[1] ?? '')));
        return withCookie(refusal(ctx, { status: 404, code: 'CONSOLE_NOT_FOUND', message: 'no such page' }));
      }
      if (request.method !== 'POST')
        return refusal(
          ctx,
          { status: 405, code: 'CONSOLE_METHOD_NOT_ALLOWED', message: 'use GET, or POST for actions' },
          { Allow: 'GET, HEAD, POST' },
        );
      const action =
        segments[0] === 'queues' && segments.length === 4 && segments[2] === 'dead-letters' && segments[3] === 'redrive'
          ? ('redrive' as const)
          : segments[0] === 'orders' && segments.length === 3 && segments[2] === 'force'
            ? ('force' as const)
            : route === '/outbox/requeue-dead'
              ? ('requeue-dead' as const)
              : undefined;
      if (action === undefined)
        return refusal(ctx, { status: 404, code: 'CONSOLE_NOT_FOUND', message: 'no such action' });
      const crossed = crossSite(request, url);
      if (crossed !== undefined)
        return refusal(ctx, {
          status: 403,
          code: 'CONSOLE_CSRF_REJECTED',
          message: `cross-site request refused (${crossed})`,
        });
      const form = await readForm(request);
      const token = form.get('csrf') ?? '';
      const expected = isNonce(cookieNonce) ? await csrfToken(options.csrfSecret, cookieNonce, operator.id) : undefined;
      if (expected === undefined || !sameToken(token, expected))
        return withCookie(
          refusal(ctx, {
            status: 403,
            code: 'CONSOLE_CSRF_REJECTED',
            message: 'missing or invalid CSRF token: reload the page and try again',
          }),
        );
      const target =
        action === 'redrive'
          ? `queue:${segments[1] ?? ''}`
          : action === 'force'
            ? `order:${segments[1] ?? ''}`
            : 'outbox';
      if (!canAct) {
        const auditFailure = await audit({
          action,
          operator: operator.id,
          outcome: 'refused',
          target,
          detail: { readOnly: options.readOnly === true },
        });
        return refusal(ctx, {
          status: 403,
          code: 'CONSOLE_FORBIDDEN',
          message: `${operator.id} may not act here (read-only)${auditFailure === undefined ? '' : `; audit failed: ${auditFailure}`}`,
        });
      }
      if (action === 'redrive') return await redrive(ctx, operator, segments[1] ?? '', form);
      if (action === 'force') return await force(ctx, operator, orderId(segments[1] ?? ''), form);
      return await requeueDead(ctx, operator, form);
    } catch (error) {
      if (error instanceof ConsoleInputError)
        return refusal(ctx, { status: 400, code: 'CONSOLE_INVALID_INPUT', message: error.message });
      reportError('request', error);
      const status = isCheckoutError(error) && error.httpStatus < 500 ? error.httpStatus : 500;
      return refusal(ctx, {
        status,
        code: status === 500 ? 'CONSOLE_UNAVAILABLE' : status === 404 ? 'CONSOLE_NOT_FOUND' : 'CONSOLE_ACTION_REFUSED',
        message: messageOf(error),
      });
    }
  }

  return {
    basePath,
    async fetch(request) {
      try {
        return await handle(request);
      } catch (error) {
        reportError('request', error);
        return respond(500, 'console error', 'text/plain; charset=utf-8', {
          'X-Console-Error': 'CONSOLE_UNAVAILABLE',
          ...securityHeaders(),
        });
      }
    },
  };
}
