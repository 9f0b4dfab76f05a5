// The foundation's smoke demo: start the local stack, print its endpoints and make one round trip
// on each service. The checkout example replaces it as `pnpm demo`.
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createTestQueue, startCheckoutStack, uniqueName } from '@checkout/testing';
import pg from 'pg';

const stack = await startCheckoutStack();
const rows: Array<{ service: string; source: string; endpoint: string; startupMs: number; roundTrip: string }> = [];
try {
  const client = new pg.Client({ connectionString: stack.postgres.url });
  await client.connect();
  const { rows: pgRows } = await client.query<{ version: string }>('select version()');
  await client.end();
  rows.push({
    service: 'postgres',
    source: stack.postgres.source,
    endpoint: stack.postgres.url,
    startupMs: stack.startupMs.postgres,
    roundTrip: (pgRows[0]?.version ?? '').split(' on ')[0] ?? '',
  });

  const dynamo = new DynamoDBClient(stack.dynamodb.clientConfig);
  const table = uniqueName('demo');
  await dynamo.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    }),
  );
  await dynamo.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'hello' }, n: { N: '1' } } }));
  const item = await dynamo.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'hello' } } }));
  dynamo.destroy();
  rows.push({
    service: 'dynamodb',
    source: stack.dynamodb.source,
    endpoint: stack.dynamodb.endpoint,
    startupMs: stack.startupMs.dynamodb,
    roundTrip: `put+get ${item.Item?.pk?.S === 'hello' ? 'ok' : 'MISSING'}`,
  });

  const queue = await createTestQueue(stack.sqs, { prefix: 'demo' });
  const sqs = new SQSClient(stack.sqs.clientConfig);
  await sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: 'hello' }));
  const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.queueUrl, WaitTimeSeconds: 1 }));
  const message = received.Messages?.[0];
  if (message?.ReceiptHandle !== undefined) {
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queue.queueUrl, ReceiptHandle: message.ReceiptHandle }));
  }
  sqs.destroy();
  rows.push({
    service: 'sqs',
    source: stack.sqs.source,
    endpoint: stack.sqs.endpoint,
    startupMs: stack.startupMs.sqs,
    roundTrip: `send+receive+delete ${message?.Body === 'hello' ? 'ok' : 'MISSING'}`,
  });
  console.table(rows);
  if (rows.some((row) => row.roundTrip.includes('MISSING'))) process.exitCode = 1;
} finally {
  await stack.stop();
}
