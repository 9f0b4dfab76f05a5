#!/usr/bin/env node
// checkout-dlq: a thin command-line wrapper over listDeadLetters and redriveDeadLetters.
import { parseArgs } from 'node:util';
import { SQSClient } from '@aws-sdk/client-sqs';
import { listDeadLetters } from '../dlq/list-dead-letters.js';
import { type RedriveFilter, redriveDeadLetters } from '../dlq/redrive-dead-letters.js';

const USAGE = `usage:
  checkout-dlq list    --queue-url <dlq url> [--max N] [--bodies]
  checkout-dlq redrive --from <dlq url> --to <queue url> [--type T]... [--reason R]...
                       [--older-than SECONDS] [--newer-than SECONDS] [--max N] [--rate N/s]
                       [--dry-run] [--no-move-task]
common: [--endpoint URL] [--region REGION]   (also AWS_ENDPOINT_URL_SQS, AWS_REGION)
        [--request-timeout SECONDS]   bound of each SQS call (default 30): an unanswered call
                                      ends the run with exit code 1 (WORKERS_REQUEST_TIMEOUT)
prints one JSON document on stdout`;

function number(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`--${name} must be a number >= 0, got ${value}`);
  return parsed;
}

async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      'queue-url': { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      type: { type: 'string', multiple: true },
      reason: { type: 'string', multiple: true },
      'older-than': { type: 'string' },
      'newer-than': { type: 'string' },
      max: { type: 'string' },
      rate: { type: 'string' },
      'dry-run': { type: 'boolean' },
      'no-move-task': { type: 'boolean' },
      bodies: { type: 'boolean' },
      endpoint: { type: 'string' },
      region: { type: 'string' },
      'request-timeout': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const command = positionals[0];
  if (values.help === true || (command !== 'list' && command !== 'redrive')) {
    console.error(USAGE);
    return values.help === true ? 0 : 2;
  }
  const client = new SQSClient({
    ...(values.endpoint === undefined ? {} : { endpoint: values.endpoint }),
    ...(values.region === undefined ? {} : { region: values.region }),
  });
  try {
    const max = number('max', values.max);
    const requestTimeout = number('request-timeout', values['request-timeout']);
    const bound = requestTimeout === undefined ? {} : { requestTimeoutMs: requestTimeout * 1000 };
    if (command === 'list') {
      const queueUrl = values['queue-url'];
      if (queueUrl === undefined) throw new Error('list needs --queue-url');
      const messages = await listDeadLetters({
        client,
        queueUrl,
        ...bound,
        ...(max === undefined ? {} : { maxMessages: max }),
      });
      const shown = messages.map(({ body, messageAttributes: _attributes, ...rest }) =>
        values.bodies === true ? { ...rest, body } : rest,
      );
      console.log(JSON.stringify({ count: messages.length, messages: shown }, null, 2));
      return 0;
    }
    const from = values.from;
    const to = values.to;
    if (from === undefined || to === undefined) throw new Error('redrive needs --from and --to');
    const olderThan = number('older-than', values['older-than']);
    const newerThan = number('newer-than', values['newer-than']);
    const rate = number('rate', values.rate);
    const filter: RedriveFilter = {
      ...(values.type === undefined ? {} : { types: values.type }),
      ...(values.reason === undefined ? {} : { reasons: values.reason }),
      ...(olderThan === undefined ? {} : { minAgeMs: olderThan * 1000 }),
      ...(newerThan === undefined ? {} : { maxAgeMs: newerThan * 1000 }),
    };
    const result = await redriveDeadLetters({
      client,
      deadLetterQueueUrl: from,
      targetQueueUrl: to,
      filter,
      dryRun: values['dry-run'] === true,
      moveTask: values['no-move-task'] === true ? 'never' : 'auto',
      ...bound,
      ...(max === undefined ? {} : { maxMessages: max }),
      ...(rate === undefined ? {} : { ratePerSecond: rate }),
    });
    console.log(JSON.stringify(result, null, 2));
    return result.failed + result.duplicated > 0 ? 1 : 0;
  } finally {
    client.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const code = (error as { code?: unknown })?.code;
    const message = error instanceof Error ? error.message : String(error);
    console.error(`checkout-dlq: ${typeof code === 'string' ? `${code}: ` : ''}${message}`);
    process.exitCode = 1;
  },
);
