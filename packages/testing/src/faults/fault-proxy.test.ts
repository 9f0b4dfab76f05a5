import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultNotTriggeredError, ServiceStartError, TestingInputError } from '../errors.js';
import { createFaultProxy, type FaultProxy } from './fault-proxy.js';

/** A TCP server on 127.0.0.1 that records what it receives and answers `reply(chunk)` (default: echo). */
async function startTarget(reply: (chunk: Buffer) => Buffer | undefined = (chunk) => chunk) {
  const received: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      const answer = reply(chunk);
      if (answer !== undefined) socket.write(answer);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  return {
    port: address.port,
    received: () => Buffer.concat(received).toString(),
    sockets,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A client socket with a buffer of what it got and how it closed. */
async function openClient(port: number) {
  const socket = connect({ host: '127.0.0.1', port });
  let data = '';
  let error: NodeJS.ErrnoException | undefined;
  let closed = false;
  socket.on('data', (chunk: Buffer) => {
    data += chunk.toString();
  });
  socket.on('error', (e: NodeJS.ErrnoException) => {
    error = e;
  });
  socket.on('close', () => {
    closed = true;
  });
  await new Promise<void>((resolve) => {
    socket.once('connect', () => resolve());
    socket.once('close', () => resolve());
  });
  return {
    socket,
    data: () => data,
    error: () => error,
    closed: () => closed,
  };
}

async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(reply?: (chunk: Buffer) => Buffer | undefined) {
  const target = await startTarget(reply);
  cleanups.push(target.close);
  const proxy: FaultProxy = await createFaultProxy({ target: { host: '127.0.0.1', port: target.port } });
  cleanups.push(() => proxy.close());
  return { target, proxy };
}

describe('createFaultProxy options', () => {
  it.each([
    [{ target: 'not a url' }, 'target'],
    [{ target: 'ftp://127.0.0.1' }, 'target'],
    [{ target: { host: '', port: 1 } }, 'target.host'],
    [{ target: { host: '127.0.0.1', port: 0 } }, 'target.port'],
    [{ target: { host: '127.0.0.1', port: 70_000 } }, 'target.port'],
    [{ target: 'http://127.0.0.1:1', port: -1 }, 'port'],
    [{ target: 'http://127.0.0.1:1', mode: 'down' }, 'mode'],
    [{ target: 'http://127.0.0.1:1', latencyMs: -5 }, 'latencyMs'],
    [{ target: 'http://127.0.0.1:1', jitterMs: Number.NaN }, 'jitterMs'],
    [{ target: 'http://127.0.0.1:1', random: 3 }, 'random'],
  ])('rejects %j naming %s', async (options, field) => {
    const error = await createFaultProxy(options as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TestingInputError);
    expect(error).toMatchObject({ code: 'TESTING_INVALID_INPUT', field });
  });

  it('takes host and port from http and postgres URLs, with default ports', async () => {
    const a = await createFaultProxy({ target: 'postgres://u:p@127.0.0.1/db' });
    const b = await createFaultProxy({ target: 'http://localhost:8000' });
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );
    expect(a.target).toEqual({ host: '127.0.0.1', port: 5432 });
    expect(b.target).toEqual({ host: 'localhost', port: 8000 });
    expect(a.endpoint).toBe(`http://127.0.0.1:${a.port}`);
    expect(a.host).toBe('127.0.0.1');
  });

  it('url() swaps host and port of postgres and http URLs, keeping the rest', async () => {
    const { proxy } = await setup();
    expect(proxy.url('postgres://user:pw@127.0.0.1:5432/db?sslmode=disable')).toBe(
      `postgres://user:pw@127.0.0.1:${proxy.port}/db?sslmode=disable`,
    );
    expect(proxy.url('http://localhost:4566/')).toBe(`http://127.0.0.1:${proxy.port}/`);
    expect(() => proxy.url('nope')).toThrow(TestingInputError);
  });

  it('a taken port is a ServiceStartError', async () => {
    const { proxy } = await setup();
    const error = await createFaultProxy({ target: 'http://127.0.0.1:1', port: proxy.port }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceStartError);
  });

  it('setMode and setLatency check their arguments and change nothing on a bad one', async () => {
    const { proxy } = await setup();
    expect(() => proxy.setMode('off' as never)).toThrow(TestingInputError);
    expect(() => proxy.setLatency(-1)).toThrow(expect.objectContaining({ field: 'latencyMs' }));
    expect(() => proxy.setLatency(10, { jitterMs: 1e9 })).toThrow(expect.objectContaining({ field: 'jitterMs' }));
    expect(proxy.mode).toBe('pass');
    expect(proxy.latency).toEqual({ latencyMs: 0, jitterMs: 0 });
    await expect(proxy.cutAfter('')).rejects.toMatchObject({ field: 'pattern' });
    await expect(proxy.cutAfter('x', { timeoutMs: 0 })).rejects.toMatchObject({ field: 'timeoutMs' });
  });
});

describe('fault proxy modes', () => {
  it('pass forwards both ways and counts bytes', async () => {
    const { proxy } = await setup();
    const client = await openClient(proxy.port);
    client.socket.write('hello');
    await until(() => client.data() === 'hello', 'echo');
    expect(proxy.stats).toMatchObject({ accepted: 1, open: 1, bytesToTarget: 5, bytesToClient: 5 });
    client.socket.end();
    await until(() => client.closed(), 'close');
    await until(() => proxy.stats.open === 0, 'no open connection');
  });

  it('refuse resets open connections and every new one, until pass', async () => {
    const { proxy, target } = await setup();
    const open = await openClient(proxy.port);
    open.socket.write('a');
    await until(() => open.data() === 'a', 'echo');
    proxy.setMode('refuse');
    await until(() => open.closed(), 'reset of the open connection');
    expect(open.error()?.code).toBe('ECONNRESET');
    await until(() => target.sockets.size === 0, 'target side closed');

    const refused = await openClient(proxy.port);
    await until(() => refused.closed(), 'reset of a new connection');
    expect(refused.data()).toBe('');
    expect(proxy.stats).toMatchObject({ refused: 1, reset: 1 });

    proxy.setMode('pass');
    const again = await openClient(proxy.port);
    again.socket.write('b');
    await until(() => again.data() === 'b', 'echo after refuse');
    again.socket.destroy();
  });

  it('blackhole holds bytes both ways on open and new connections, and pass releases them', async () => {
    const { proxy, target } = await setup();
    const open = await openClient(proxy.port);
    open.socket.write('1');
    await until(() => open.data() === '1', 'echo');
    proxy.setMode('blackhole');
    open.socket.write('2');
    const fresh = await openClient(proxy.port); // accepted...
    fresh.socket.write('x');
    await sleep(300);
    expect(open.data()).toBe('1'); // ...but nothing goes through
    expect(fresh.data()).toBe('');
    expect(fresh.closed()).toBe(false);
    expect(target.received()).toBe('1');
    expect(target.sockets.size).toBe(1); // the new client has not reached the target

    proxy.setMode('pass');
    await until(() => open.data() === '12' && fresh.data() === 'x', 'held bytes released');
    open.socket.destroy();
    fresh.socket.destroy();
  });

  it('a held connection the client drops during a blackhole does not break the proxy', async () => {
    const { proxy } = await setup();
    proxy.setMode('blackhole');
    const client = await openClient(proxy.port);
    client.socket.write('lost');
    client.socket.destroy();
    await sleep(50);
    proxy.setMode('pass');
    const next = await openClient(proxy.port);
    next.socket.write('ok');
    await until(() => next.data() === 'ok', 'echo');
    next.socket.destroy();
  });

  it('latency delays every chunk both ways and keeps the order, with jitter', async () => {
    const { proxy } = await setup();
    const client = await openClient(proxy.port);
    proxy.setLatency(100);
    const began = Date.now();
    client.socket.write('x');
    await until(() => client.data() === 'x', 'delayed echo');
    expect(Date.now() - began).toBeGreaterThanOrEqual(190); // 100 ms each way: a lower bound only

    proxy.setLatency(5, { jitterMs: 40 });
    expect(proxy.latency).toEqual({ latencyMs: 5, jitterMs: 40 });
    const expected: string[] = [];
    for (let i = 0; i < 40; i += 1) {
      expected.push(`<${i}>`);
      client.socket.write(`<${i}>`);
      await sleep(1);
    }
    await until(() => client.data() === `x${expected.join('')}`, 'ordered echo');
    proxy.setLatency(0);
    client.socket.destroy();
  });

  it('a target that is down resets the client, counted, with no unhandled error', async () => {
    const target = await startTarget();
    await target.close();
    const proxy = await createFaultProxy({ target: { host: '127.0.0.1', port: target.port } });
    cleanups.push(() => proxy.close());
    const client = await openClient(proxy.port);
    client.socket.write('hi');
    await until(() => client.closed(), 'client reset');
    expect(proxy.stats.targetErrors).toBe(1);
  });
});

describe('fault proxy cutAfter', () => {
  it('forwards the matching chunk, drops the reply and resets the client', async () => {
    const { proxy, target } = await setup((chunk) => Buffer.from(`ack:${chunk.toString()}`));
    const client = await openClient(proxy.port);
    client.socket.write('BEGIN');
    await until(() => client.data() === 'ack:BEGIN', 'first reply');
    const fired = proxy.cutAfter('COMMIT');
    client.socket.write('COMMIT');
    await fired;
    await until(() => client.closed(), 'client reset');
    expect(target.received()).toBe('BEGINCOMMIT'); // the target got it and answered...
    expect(client.data()).toBe('ack:BEGIN'); // ...the client never heard
    expect(client.error()?.code).toBe('ECONNRESET');
    expect(proxy.stats.cuts).toBe(1);

    // One-shot: the next COMMIT goes through.
    const next = await openClient(proxy.port);
    next.socket.write('COMMIT');
    await until(() => next.data() === 'ack:COMMIT', 'reply after the cut');
    next.socket.destroy();
  });

  it('matches a pattern split across chunks', async () => {
    const { proxy, target } = await setup((chunk) => Buffer.from(`ack:${chunk.toString()}`));
    const client = await openClient(proxy.port);
    const fired = proxy.cutAfter(Buffer.from('COMMIT'));
    client.socket.write('xxCOM');
    await until(() => client.data() === 'ack:xxCOM', 'first half');
    client.socket.write('MITyy');
    await fired;
    await until(() => client.closed(), 'client reset');
    expect(target.received()).toBe('xxCOMMITyy');
    expect(client.data()).toBe('ack:xxCOM');
  });

  it('rejects with FaultNotTriggeredError on timeout and on close', async () => {
    const target = await startTarget();
    cleanups.push(target.close);
    const proxy = await createFaultProxy({ target: `http://127.0.0.1:${target.port}` });
    await expect(proxy.cutAfter('never', { timeoutMs: 50 })).rejects.toMatchObject({
      code: 'TESTING_FAULT_NOT_TRIGGERED',
      reason: 'timeout',
    });
    const pending = proxy.cutAfter('never');
    await proxy.close();
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FaultNotTriggeredError);
    expect(error).toMatchObject({ reason: 'closed' });
    await expect(proxy.cutAfter('x')).rejects.toMatchObject({ reason: 'closed' });
  });
});

describe('fault proxy close', () => {
  it('destroys open sockets, stops listening, and is idempotent', async () => {
    const target = await startTarget();
    cleanups.push(target.close);
    const proxy = await createFaultProxy({ target: `http://127.0.0.1:${target.port}`, mode: 'blackhole' });
    const held = await openClient(proxy.port);
    proxy.setMode('pass');
    const open = await openClient(proxy.port);
    open.socket.write('x');
    await until(() => open.data() === 'x', 'echo');
    await Promise.all([proxy.close(), proxy.close()]);
    await proxy.close();
    await until(() => held.closed() && open.closed(), 'clients closed');
    await until(() => target.sockets.size === 0, 'target sockets closed');
    const after = await openClient(proxy.port);
    await until(() => after.closed(), 'connection refused');
    expect(after.error()?.code).toBe('ECONNREFUSED');
  });
});
