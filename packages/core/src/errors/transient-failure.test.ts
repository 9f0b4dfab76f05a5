import { connect } from 'node:net';
import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closedPort,
  type FakePostgresMode,
  type FakeServer,
  startFakeHttp,
  startFakePostgres,
} from '../test-support/fake-servers.js';
import { transientFailure } from './transient-failure.js';

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function fakePostgres(mode: FakePostgresMode): Promise<number> {
  const server = await startFakePostgres(mode);
  servers.push(server);
  return server.port;
}

/** The error a real `pg.Client` rejects with: connecting, or running one query. */
async function pgClientError(port: number, config: pg.ClientConfig = {}, query = false): Promise<unknown> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'u', database: 'd', ...config });
  client.on('error', () => {});
  try {
    await client.connect();
    if (query) await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await client.end().catch(() => {});
  }
}

async function dynamoError(port: number, config: Partial<ConstructorParameters<typeof DynamoDBClient>[0]> = {}) {
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    maxAttempts: 1,
    ...config,
  });
  try {
    await client.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'a' } } }));
    return undefined;
  } catch (error) {
    return error;
  } finally {
    client.destroy();
  }
}

function awsJson(type: string, status: number) {
  return () => ({
    status,
    headers: { 'Content-Type': 'application/x-amz-json-1.0', 'x-amzn-RequestId': 'r' },
    body: JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: `fake ${type}` }),
  });
}

async function fakeHttp(respond: Parameters<typeof startFakeHttp>[0]): Promise<number> {
  const server = await startFakeHttp(respond);
  servers.push(server);
  return server.port;
}

describe('transientFailure: real pg errors', () => {
  it('connection refused (nothing listens)', async () => {
    const error = await pgClientError(await closedPort());
    expect(transientFailure(error)).toEqual({ kind: 'connection', reason: 'ECONNREFUSED' });
  });

  it('the server closes the socket: Connection terminated unexpectedly', async () => {
    const error = await pgClientError(await fakePostgres({ kind: 'close' }));
    expect((error as Error).message).toBe('Connection terminated unexpectedly');
    expect(transientFailure(error)).toEqual({ kind: 'connection', reason: 'pg: Connection terminated unexpectedly' });
  });

  it('a silent server: the client connect timeout and the pool connect timeout', async () => {
    const port = await fakePostgres({ kind: 'silent' });
    const clientError = await pgClientError(port, { connectionTimeoutMillis: 50 });
    expect(transientFailure(clientError)?.kind).toBe('timeout');
    const pool = new pg.Pool({ host: '127.0.0.1', port, user: 'u', database: 'd', connectionTimeoutMillis: 50 });
    const poolError = await pool.query('SELECT 1').catch((error: unknown) => error);
    await pool.end();
    expect((poolError as Error).message).toBe('Connection terminated due to connection timeout');
    expect(transientFailure(poolError)).toEqual({
      kind: 'timeout',
      reason: 'pg: Connection terminated due to connection timeout',
    });
  });

  it('no free client in the pool within connectionTimeoutMillis', async () => {
    const port = await fakePostgres({ kind: 'query-silent' });
    const pool = new pg.Pool({
      host: '127.0.0.1',
      port,
      user: 'u',
      database: 'd',
      max: 1,
      connectionTimeoutMillis: 50,
    });
    const held = await pool.connect();
    const error = await pool.connect().catch((caught: unknown) => caught);
    held.release(true);
    await pool.end();
    expect((error as Error).message).toBe('timeout exceeded when trying to connect');
    expect(transientFailure(error)).toEqual({ kind: 'timeout', reason: 'pg: timeout exceeded when trying to connect' });
  });

  it('query_timeout: Query read timeout', async () => {
    const port = await fakePostgres({ kind: 'query-silent' });
    const error = await pgClientError(port, { query_timeout: 50 }, true);
    expect(transientFailure(error)).toEqual({ kind: 'timeout', reason: 'pg: Query read timeout' });
  });

  it.each([
    ['57P01', 'connection'],
    ['57P02', 'connection'],
    ['57P03', 'unavailable'],
    ['53300', 'overloaded'],
    ['08006', 'connection'],
    ['08001', 'connection'],
  ] as const)('SQLSTATE %s refusing the connection is %s', async (sqlstate, kind) => {
    const error = await pgClientError(await fakePostgres({ kind: 'refuse-startup', sqlstate }));
    expect((error as { code?: unknown }).code).toBe(sqlstate);
    expect(transientFailure(error)).toEqual({ kind, reason: `SQLSTATE ${sqlstate}` });
  });

  it.each([
    ['57014', 'timeout'],
    ['55P03', 'timeout'],
    ['25006', 'unavailable'],
    ['57P01', 'connection'],
  ] as const)('SQLSTATE %s answering a query is %s', async (sqlstate, kind) => {
    const error = await pgClientError(
      await fakePostgres({ kind: 'query-error', sqlstate, close: sqlstate === '57P01' }),
      {},
      true,
    );
    expect(error).toBeInstanceOf(pg.DatabaseError);
    expect(transientFailure(error)).toEqual({ kind, reason: `SQLSTATE ${sqlstate}` });
  });

  it.each([
    '23505', // unique_violation
    '42P01', // undefined_table
    '22P02', // invalid_text_representation
    '40001', // serialization_failure: a conflict to retry in process, not an outage
    '40P01', // deadlock_detected: the same
    '28P01', // invalid_password: configuration, a retry repeats it
  ])('SQLSTATE %s is not transient', async (sqlstate) => {
    const error = await pgClientError(await fakePostgres({ kind: 'query-error', sqlstate }), {}, true);
    expect((error as { code?: unknown }).code).toBe(sqlstate);
    expect(transientFailure(error)).toBeUndefined();
  });
});

describe('transientFailure: real node and AWS SDK errors', () => {
  it('a node socket refused', async () => {
    const port = await closedPort();
    const error = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', resolve);
    });
    expect(transientFailure(error)).toEqual({ kind: 'connection', reason: 'ECONNREFUSED' });
  });

  it('DynamoDB unreachable: ECONNREFUSED through the SDK', async () => {
    const error = await dynamoError(await closedPort());
    expect(transientFailure(error)).toEqual({ kind: 'connection', reason: 'ECONNREFUSED' });
  });

  it('DynamoDB silent: the request timeout is a TimeoutError', async () => {
    const port = await fakeHttp(() => undefined);
    const error = await dynamoError(port, {
      requestHandler: { requestTimeout: 100, connectionTimeout: 100, throwOnRequestTimeout: true },
    });
    expect((error as Error).name).toBe('TimeoutError');
    expect(transientFailure(error)).toEqual({ kind: 'timeout', reason: 'ETIMEDOUT' });
  });

  it('DynamoDB throttling, server errors and 503', async () => {
    const throttled = await dynamoError(await fakeHttp(awsJson('ThrottlingException', 400)));
    expect(transientFailure(throttled)).toEqual({ kind: 'overloaded', reason: 'ThrottlingException' });
    const throughput = await dynamoError(await fakeHttp(awsJson('ProvisionedThroughputExceededException', 400)));
    expect(transientFailure(throughput)?.kind).toBe('overloaded');
    const internal = await dynamoError(await fakeHttp(awsJson('InternalServerError', 500)));
    expect(transientFailure(internal)).toEqual({ kind: 'unavailable', reason: 'InternalServerError' });
    const unavailable = await dynamoError(await fakeHttp(() => ({ status: 503, body: 'down' })));
    expect((unavailable as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(503);
    expect(transientFailure(unavailable)?.kind).toBe('unavailable');
  });

  it('DynamoDB client errors are not transient', async () => {
    const conditional = await dynamoError(await fakeHttp(awsJson('ConditionalCheckFailedException', 400)));
    expect(conditional).toBeInstanceOf(ConditionalCheckFailedException);
    expect(transientFailure(conditional)).toBeUndefined();
    const validation = await dynamoError(await fakeHttp(awsJson('ValidationException', 400)));
    expect(transientFailure(validation)).toBeUndefined();
    const notFound = await dynamoError(await fakeHttp(awsJson('ResourceNotFoundException', 400)));
    expect(transientFailure(notFound)).toBeUndefined();
  });
});

describe('transientFailure: shapes', () => {
  it('follows causes and AggregateError, not forever', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' });
    expect(transientFailure(new Error('wrapped', { cause: refused }))?.reason).toBe('ECONNREFUSED');
    expect(transientFailure(new AggregateError([new Error('x'), refused]))?.reason).toBe('ECONNREFUSED');
    const cyclic = new Error('a');
    Object.assign(cyclic, { cause: cyclic });
    expect(transientFailure(cyclic)).toBeUndefined();
    let deep: Error = refused;
    for (let i = 0; i < 10; i += 1) deep = new Error('wrap', { cause: deep });
    expect(transientFailure(deep)).toBeUndefined();
  });

  it('EPIPE and ETIMEDOUT socket codes; no match on look-alike messages of other errors', () => {
    expect(transientFailure(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))?.kind).toBe('connection');
    expect(transientFailure(Object.assign(new Error('x'), { code: 'ETIMEDOUT' }))?.kind).toBe('timeout');
    expect(transientFailure(Object.assign(new Error('x'), { code: 'ENOTFOUND' }))).toBeUndefined();
    // A SQLSTATE error whose message happens to read like a pg connection error is judged by its code.
    expect(transientFailure(Object.assign(new Error('Connection terminated'), { code: '23505' }))).toBeUndefined();
    expect(transientFailure(new Error('Connection terminated by the user, politely'))).toBeUndefined();
  });

  it('never throws, for anything', () => {
    const hostile = new Proxy(new Error('x'), {
      get() {
        throw new Error('boom');
      },
    });
    expect(transientFailure(hostile)).toBeUndefined();
    for (const value of [undefined, null, 0, 'ECONNREFUSED', Symbol('x'), {}, []]) {
      expect(transientFailure(value)).toBeUndefined();
    }
  });
});
