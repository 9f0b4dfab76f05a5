import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestQueue } from '../isolation/test-queue.js';
import { createTestSchema, type TestSchema } from '../isolation/test-schema.js';
import { uniqueName } from '../isolation/unique-name.js';
import { useCheckoutStack } from '../vitest/index.js';

const stack = useCheckoutStack();

describe('Postgres', () => {
  let schema: TestSchema;
  let pool: pg.Pool;
  beforeAll(async () => {
    schema = await createTestSchema(stack.postgres);
    pool = new pg.Pool({ connectionString: stack.postgres.url, max: 4 });
    await pool.query(`CREATE TABLE "${schema.name}".jobs (id int PRIMARY KEY)`);
    await pool.query(`INSERT INTO "${schema.name}".jobs SELECT generate_series(1, 3)`);
  });
  afterAll(async () => {
    await pool.end();
    await schema.drop();
  });

  it('listens on 127.0.0.1', () => {
    expect(stack.postgres.host).toBe('127.0.0.1');
  });

  it('FOR UPDATE SKIP LOCKED skips rows another transaction holds', async () => {
    const a = await pool.connect();
    const b = await pool.connect();
    try {
      await a.query('BEGIN');
      const first = await a.query(`SELECT id FROM "${schema.name}".jobs ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`);
      await b.query('BEGIN');
      const second = await b.query(`SELECT id FROM "${schema.name}".jobs ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`);
      expect(first.rows).toEqual([{ id: 1 }]);
      expect(second.rows).toEqual([{ id: 2 }]);
      await a.query('ROLLBACK');
      await b.query('ROLLBACK');
    } finally {
      a.release();
      b.release();
    }
  });

  it('delivers LISTEN/NOTIFY round trips with their payload', async () => {
    const listener = await pool.connect();
    try {
      const channel = uniqueName('ch');
      const received = new Promise<string | undefined>((resolve) =>
        listener.on('notification', (message) => resolve(message.payload)),
      );
      await listener.query(`LISTEN "${channel}"`);
      await pool.query('SELECT pg_notify($1, $2)', [channel, 'hello']);
      expect(await received).toBe('hello');
    } finally {
      listener.release();
    }
  });

  it('has xid8 snapshot functions for visibility fences', async () => {
    const { rows } = await pool.query(
      'SELECT pg_current_xact_id() AS xid, pg_snapshot_xmin(pg_current_snapshot()) AS xmin',
    );
    expect(BigInt(rows[0].xid)).toBeGreaterThanOrEqual(BigInt(rows[0].xmin));
  });
});

describe('DynamoDB', () => {
  const client = new DynamoDBClient(stack.dynamodb.clientConfig);
  const table = uniqueName('ddb');
  beforeAll(async () => {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      }),
    );
  });
  afterAll(() => client.destroy());

  it('returns the existing item on a failed conditional put (ALL_OLD)', async () => {
    const put = (value: string) =>
      client.send(
        new PutItemCommand({
          TableName: table,
          Item: { pk: { S: 'k1' }, value: { S: value } },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    await put('first');
    const error = await put('second').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConditionalCheckFailedException);
    expect((error as ConditionalCheckFailedException).Item?.value).toEqual({ S: 'first' });
  });

  it('cancels a whole TransactWriteItems when one condition fails', async () => {
    await client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'stock' }, n: { N: '1' } } }));
    const error = await client
      .send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: table, Item: { pk: { S: 'reservation' } } } },
            {
              Update: {
                TableName: table,
                Key: { pk: { S: 'stock' } },
                UpdateExpression: 'SET n = n - :q',
                ConditionExpression: 'n >= :q',
                ExpressionAttributeValues: { ':q': { N: '2' } },
              },
            },
          ],
        }),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionCanceledException);
    const reasons = (error as TransactionCanceledException).CancellationReasons?.map((reason) => reason.Code);
    expect(reasons).toEqual(['None', 'ConditionalCheckFailed']);
    const reservation = await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'reservation' } } }));
    expect(reservation.Item).toBeUndefined();
  });

  it('accepts and reports a TTL setting', async () => {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: table,
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      }),
    );
    const described = await client.send(new DescribeTimeToLiveCommand({ TableName: table }));
    expect(described.TimeToLiveDescription?.AttributeName).toBe('expiresAt');
    expect(described.TimeToLiveDescription?.TimeToLiveStatus).toMatch(/ENABL/);
  });
});

describe('SQS', () => {
  const client = new SQSClient(stack.sqs.clientConfig);
  afterAll(() => client.destroy());

  it('sends, receives and deletes on a standard queue', async () => {
    const queue = await createTestQueue(stack.sqs);
    await client.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: 'one' }));
    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: queue.queueUrl, WaitTimeSeconds: 1 }));
    expect(Messages?.map((m) => m.Body)).toEqual(['one']);
    await client.send(
      new DeleteMessageCommand({ QueueUrl: queue.queueUrl, ReceiptHandle: Messages?.[0]?.ReceiptHandle }),
    );
    const after = await client.send(new ReceiveMessageCommand({ QueueUrl: queue.queueUrl, WaitTimeSeconds: 0 }));
    expect(after.Messages ?? []).toEqual([]);
  });

  it('keeps order within a FIFO message group', async () => {
    const queue = await createTestQueue(stack.sqs, { fifo: true });
    await client.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.queueUrl,
        Entries: Array.from({ length: 10 }, (_, i) => ({
          Id: `m${i}`,
          MessageBody: String(i),
          MessageGroupId: i % 2 === 0 ? 'even' : 'odd',
          MessageDeduplicationId: `d${i}`,
        })),
      }),
    );
    const bodies: { even: string[]; odd: string[]; [group: string]: string[] | undefined } = { even: [], odd: [] };
    for (let round = 0; round < 10 && bodies.even.length + bodies.odd.length < 10; round += 1) {
      const { Messages = [] } = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['MessageGroupId'],
        }),
      );
      for (const message of Messages) {
        const group = message.Attributes?.MessageGroupId ?? '?';
        bodies[group]?.push(message.Body ?? '');
        await client.send(new DeleteMessageCommand({ QueueUrl: queue.queueUrl, ReceiptHandle: message.ReceiptHandle }));
      }
    }
    expect(bodies.even).toEqual(['0', '2', '4', '6', '8']);
    expect(bodies.odd).toEqual(['1', '3', '5', '7', '9']);
  });

  it('moves a message to the DLQ after maxReceiveCount receives', async () => {
    const queue = await createTestQueue(stack.sqs, { maxReceiveCount: 2 });
    await client.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: 'poison' }));
    for (let receive = 0; receive < 2; receive += 1) {
      const { Messages } = await client.send(
        new ReceiveMessageCommand({ QueueUrl: queue.queueUrl, WaitTimeSeconds: 1 }),
      );
      expect(Messages?.[0]?.Body).toBe('poison');
      await client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queue.queueUrl,
          ReceiptHandle: Messages?.[0]?.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    }
    const third = await client.send(new ReceiveMessageCommand({ QueueUrl: queue.queueUrl, WaitTimeSeconds: 1 }));
    expect(third.Messages ?? []).toEqual([]);
    const dlqUrl = queue.dlq.queueUrl;
    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 1 }));
    expect(Messages?.map((m) => m.Body)).toEqual(['poison']);
  });
});
