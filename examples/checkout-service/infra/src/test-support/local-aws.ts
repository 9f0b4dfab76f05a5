import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One AWS API call a function made, as seen on the wire. */
export interface RecordedAwsCall {
  /** The access key id the call was signed with: each local function gets its own. */
  readonly principal: string;
  /** `sqs`, `dynamodb`, `secretsmanager`. */
  readonly service: string;
  /** The API action (`SendMessage`, `TransactWriteItems`, ...). */
  readonly action: string;
  /** What the call names: queue URLs, table names (`<table>/index/<index>` for index queries), secret ids. */
  readonly resources: readonly string[];
}

/** The recording endpoints (`AWS_ENDPOINT_URL_<SERVICE>`) and what went through them. */
export interface LocalAws {
  readonly endpoints: { readonly sqs: string; readonly dynamodb: string; readonly secretsmanager: string };
  readonly calls: RecordedAwsCall[];
  stop(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function principalOf(req: IncomingMessage): string {
  const match = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ''));
  return match?.[1] ?? 'unsigned';
}

function resourcesOf(service: string, body: Record<string, unknown>): string[] {
  if (service === 'sqs') return typeof body.QueueUrl === 'string' ? [body.QueueUrl] : [];
  if (service === 'secretsmanager') return typeof body.SecretId === 'string' ? [body.SecretId] : [];
  const tables = new Set<string>();
  if (typeof body.TableName === 'string') {
    tables.add(typeof body.IndexName === 'string' ? `${body.TableName}/index/${body.IndexName}` : body.TableName);
  }
  for (const item of Array.isArray(body.TransactItems) ? body.TransactItems : []) {
    for (const part of Object.values(item as Record<string, { TableName?: unknown }>)) {
      if (typeof part?.TableName === 'string') tables.add(part.TableName);
    }
  }
  if (typeof body.RequestItems === 'object' && body.RequestItems !== null) {
    for (const name of Object.keys(body.RequestItems)) tables.add(name);
  }
  return [...tables];
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * Starts one recording endpoint per AWS service the bundles call: SQS and DynamoDB calls are recorded
 * (who signed them, the action from `X-Amz-Target`, the resources in the body) and forwarded to the
 * local emulators; Secrets Manager (no emulator in the local stack) answers `GetSecretValue` from
 * `secrets` (ARN -> SecretString) and records it the same way. Recording on the wire sees every call
 * of every SDK client a bundle creates, however it was built.
 */
export async function startLocalAws(options: {
  readonly sqsEndpoint: string;
  readonly dynamodbEndpoint: string;
  readonly secrets: ReadonlyMap<string, string>;
}): Promise<LocalAws> {
  const calls: RecordedAwsCall[] = [];
  const record = (service: string, req: IncomingMessage, body: Buffer): Record<string, unknown> => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const action = target.includes('.') ? target.slice(target.lastIndexOf('.') + 1) : target;
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      // not JSON: recorded with no resources
    }
    const principal = principalOf(req);
    if (service === 'dynamodb' && (action === 'TransactWriteItems' || action === 'TransactGetItems')) {
      // IAM authorizes a transaction as its items' own actions (there is no TransactWriteItems action).
      for (const item of Array.isArray(parsed.TransactItems) ? parsed.TransactItems : []) {
        for (const [kind, part] of Object.entries(item as Record<string, { TableName?: unknown }>)) {
          const table = typeof part?.TableName === 'string' ? [part.TableName] : [];
          calls.push({
            principal,
            service,
            action: kind === 'ConditionCheck' ? 'ConditionCheckItem' : `${kind}Item`,
            resources: table,
          });
        }
      }
      return parsed;
    }
    calls.push({ principal, service, action, resources: resourcesOf(service, parsed) });
    return parsed;
  };
  const forwarder = (service: string, target: string) =>
    createServer((req, res) => {
      void (async () => {
        try {
          const body = await readBody(req);
          record(service, req, body);
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(req.headers)) {
            if (name === 'host' || name === 'content-length' || value === undefined) continue;
            headers[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          const answer = await fetch(`${target}${req.url ?? '/'}`, {
            method: req.method ?? 'POST',
            headers,
            ...(body.length === 0 ? {} : { body }),
          });
          const payload = Buffer.from(await answer.arrayBuffer());
          const out: Record<string, string> = {};
          answer.headers.forEach((value, name) => {
            if (!['content-encoding', 'content-length', 'transfer-encoding', 'connection'].includes(name)) {
              out[name] = value;
            }
          });
          res.writeHead(answer.status, { ...out, 'content-length': String(payload.length) }).end(payload);
        } catch (error) {
          res.writeHead(502).end(String(error));
        }
      })();
    });
  const secretsServer = createServer((req, res) => {
    void (async () => {
      const body = record('secretsmanager', req, await readBody(req));
      const action = String(req.headers['x-amz-target'] ?? '');
      const value = typeof body.SecretId === 'string' ? options.secrets.get(body.SecretId) : undefined;
      const json = (status: number, payload: unknown) =>
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(payload));
      if (action !== 'secretsmanager.GetSecretValue') {
        return json(400, { __type: 'InvalidRequestException', message: `${action} is not served locally` });
      }
      if (value === undefined) {
        return json(400, { __type: 'ResourceNotFoundException', message: `no secret ${String(body.SecretId)}` });
      }
      return json(200, { ARN: body.SecretId, Name: body.SecretId, SecretString: value, VersionId: 'local' });
    })();
  });
  const servers = [
    forwarder('sqs', options.sqsEndpoint),
    forwarder('dynamodb', options.dynamodbEndpoint),
    secretsServer,
  ] as const;
  const [sqs, dynamodb, secretsmanager] = await Promise.all(servers.map(listen));
  return {
    endpoints: { sqs: sqs as string, dynamodb: dynamodb as string, secretsmanager: secretsmanager as string },
    calls,
    async stop() {
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      );
    },
  };
}
