import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** A resource of a synthesized CloudFormation template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

/** The parts of a template the local run reads. */
export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
}

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';

/** A queue of the template, created locally. */
export interface LocalQueue {
  readonly logicalId: string;
  readonly url: string;
  readonly arn: string;
  readonly name: string;
}

/** A table of the template, created locally. */
export interface LocalTable {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
}

/** A secret of the template, held by the local Secrets Manager. */
export interface LocalSecret {
  readonly logicalId: string;
  readonly arn: string;
  readonly value: string;
}

/** A Lambda function of the template, ready to start. */
export interface TemplateFunction {
  readonly logicalId: string;
  /** From the function's description (`checkout-service <handler>`). */
  readonly handler: string;
  /** The asset directory the template points the function's code at (`aws:asset:path`). */
  readonly assetDir: string;
  /** `index.mjs` of the asset directory, the module named by `Handler`. */
  readonly file: string;
  readonly exportName: string;
  readonly timeoutMs: number;
  readonly memoryMb: number;
  /** The environment exactly as the template declares it, every intrinsic resolved to the local resource. */
  readonly environment: Record<string, string>;
  /** Logical id of the function's execution role. */
  readonly roleId: string;
}

/** The resources of the template, created on the local stack. */
export interface LocalResources {
  readonly queues: Map<string, LocalQueue>;
  readonly tables: Map<string, LocalTable>;
  readonly secrets: Map<string, LocalSecret>;
  /** Resolves an intrinsic (`Ref`, `Fn::GetAtt`, `Fn::Join`, ...) to its local value; throws naming `where` if it cannot. */
  resolve(value: unknown, where: string): string;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** Resources of one type, by logical id. */
export function resourcesOfType(template: CfnTemplate, type: string): Array<[string, CfnResource]> {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

function generatedSecret(spec: Record<string, unknown>): string {
  const password = randomBytes(24)
    .toString('base64url')
    .replace(/[^A-Za-z0-9]/g, 'x');
  const template = typeof spec.SecretStringTemplate === 'string' ? spec.SecretStringTemplate : undefined;
  const key = typeof spec.GenerateStringKey === 'string' ? spec.GenerateStringKey : undefined;
  if (template === undefined || key === undefined) return password;
  return JSON.stringify({ ...(JSON.parse(template) as object), [key]: password });
}

/**
 * Creates what the template declares on the local stack: every `AWS::SQS::Queue` (DLQs first, with
 * the template's FIFO flag, visibility timeout, retention and redrive policy pointing at the local
 * DLQ), every `AWS::DynamoDB::Table` (keys, attribute definitions, GSIs with their projection,
 * on-demand, TTL) and every `AWS::SecretsManager::Secret` (its string, or one generated from its
 * `GenerateSecretString`). Names get `prefix` so runs never collide.
 */
export async function createLocalResources(
  template: CfnTemplate,
  clients: { readonly sqs: SQSClient; readonly dynamodb: DynamoDBClient },
  prefix: string,
  /**
   * The SQS endpoint the functions use: queue URLs are given on it (the SDK sends a queue's calls to
   * its URL's host, as on AWS where that host is the regional SQS endpoint).
   */
  sqsEndpoint: string,
): Promise<LocalResources> {
  const queues = new Map<string, LocalQueue>();
  const tables = new Map<string, LocalTable>();
  const secrets = new Map<string, LocalSecret>();

  const resolve = (value: unknown, where: string): string => {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (!isRecord(value)) throw new Error(`${where}: cannot resolve ${JSON.stringify(value)}`);
    if ('Ref' in value) {
      const id = String(value.Ref);
      const pseudo: Record<string, string> = {
        'AWS::Region': LOCAL_REGION,
        'AWS::AccountId': LOCAL_ACCOUNT,
        'AWS::Partition': 'aws',
        'AWS::URLSuffix': 'amazonaws.com',
      };
      const found = pseudo[id] ?? queues.get(id)?.url ?? tables.get(id)?.name ?? secrets.get(id)?.arn ?? undefined;
      if (found === undefined) throw new Error(`${where}: Ref ${id} has no local resource`);
      return found;
    }
    if ('Fn::GetAtt' in value) {
      const [id, attribute] = value['Fn::GetAtt'] as [string, string];
      const type = template.Resources[id]?.Type;
      const queue = queues.get(id);
      if (queue !== undefined) {
        const byAttribute: Record<string, string> = { Arn: queue.arn, QueueUrl: queue.url, QueueName: queue.name };
        if (byAttribute[attribute] !== undefined) return byAttribute[attribute];
      }
      const table = tables.get(id);
      if (table !== undefined && attribute === 'Arn') return table.arn;
      // RDS Proxy (and its read-only endpoint) -> the local Postgres host.
      if ((type === 'AWS::RDS::DBProxy' || type === 'AWS::RDS::DBProxyEndpoint') && attribute === 'Endpoint') {
        return '127.0.0.1';
      }
      throw new Error(`${where}: Fn::GetAtt ${id}.${attribute} (${type}) has no local value`);
    }
    if ('Fn::Join' in value) {
      const [separator, parts] = value['Fn::Join'] as [string, unknown[]];
      return parts.map((part, index) => resolve(part, `${where}[${index}]`)).join(separator);
    }
    if ('Fn::Select' in value) {
      const [index, list] = value['Fn::Select'] as [number, unknown];
      const items = isRecord(list) && 'Fn::Split' in list ? splitOf(list, where) : (list as unknown[]);
      return resolve(items[Number(index)], where);
    }
    throw new Error(`${where}: unsupported intrinsic ${Object.keys(value).join(',')}`);
  };
  const splitOf = (value: Record<string, unknown>, where: string): string[] => {
    const [separator, source] = value['Fn::Split'] as [string, unknown];
    return resolve(source, where).split(separator);
  };

  // Queues: DLQs (no redrive policy) before the queues that name them.
  const queueResources = resourcesOfType(template, 'AWS::SQS::Queue').sort(
    ([, a], [, b]) =>
      Number(a.Properties?.RedrivePolicy !== undefined) - Number(b.Properties?.RedrivePolicy !== undefined),
  );
  for (const [logicalId, resource] of queueResources) {
    const props = resource.Properties ?? {};
    const fifo = props.FifoQueue === true;
    const name = `${prefix}-${logicalId.slice(0, 60)}${fifo ? '.fifo' : ''}`;
    const attributes: Record<string, string> = {};
    if (fifo) attributes.FifoQueue = 'true';
    if (props.VisibilityTimeout !== undefined) attributes.VisibilityTimeout = String(props.VisibilityTimeout);
    if (props.MessageRetentionPeriod !== undefined) {
      attributes.MessageRetentionPeriod = String(props.MessageRetentionPeriod);
    }
    if (props.ContentBasedDeduplication === true) attributes.ContentBasedDeduplication = 'true';
    if (isRecord(props.RedrivePolicy)) {
      attributes.RedrivePolicy = JSON.stringify({
        deadLetterTargetArn: resolve(props.RedrivePolicy.deadLetterTargetArn, `${logicalId}.RedrivePolicy`),
        maxReceiveCount: Number(props.RedrivePolicy.maxReceiveCount),
      });
    }
    const created = await clients.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    if (created.QueueUrl === undefined) throw new Error(`${logicalId}: CreateQueue returned no URL`);
    const { Attributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: created.QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const url = `${sqsEndpoint}${new URL(created.QueueUrl).pathname}`;
    queues.set(logicalId, { logicalId, url, arn: Attributes?.QueueArn ?? '', name });
  }

  for (const [logicalId, resource] of resourcesOfType(template, 'AWS::DynamoDB::Table')) {
    const props = resource.Properties ?? {};
    const name = `${prefix}-${logicalId}`;
    const gsis = (props.GlobalSecondaryIndexes as Array<Record<string, unknown>> | undefined) ?? [];
    const input: CreateTableCommandInput = {
      TableName: name,
      KeySchema: props.KeySchema as CreateTableCommandInput['KeySchema'],
      AttributeDefinitions: props.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
      BillingMode: 'PAY_PER_REQUEST',
      ...(gsis.length === 0
        ? {}
        : {
            GlobalSecondaryIndexes: gsis.map((index) => ({
              IndexName: String(index.IndexName),
              KeySchema: index.KeySchema as NonNullable<CreateTableCommandInput['KeySchema']>,
              Projection: (index.Projection as { ProjectionType: 'ALL' }) ?? { ProjectionType: 'ALL' },
            })),
          }),
    };
    await clients.dynamodb.send(new CreateTableCommand(input));
    const ttl = props.TimeToLiveSpecification as { AttributeName?: string; Enabled?: boolean } | undefined;
    if (ttl?.Enabled === true && ttl.AttributeName !== undefined) {
      await clients.dynamodb.send(
        new UpdateTimeToLiveCommand({
          TableName: name,
          TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: true },
        }),
      );
    }
    tables.set(logicalId, { logicalId, name, arn: `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${name}` });
  }

  for (const [logicalId, resource] of resourcesOfType(template, 'AWS::SecretsManager::Secret')) {
    const props = resource.Properties ?? {};
    const value =
      typeof props.SecretString === 'string'
        ? props.SecretString
        : generatedSecret(isRecord(props.GenerateSecretString) ? props.GenerateSecretString : {});
    secrets.set(logicalId, {
      logicalId,
      arn: `arn:aws:secretsmanager:${LOCAL_REGION}:${LOCAL_ACCOUNT}:secret:${prefix}-${logicalId}`,
      value,
    });
  }
  return { queues, tables, secrets, resolve };
}

/**
 * Every `AWS::Lambda::Function` of the template with its code and environment: the asset directory
 * (`aws:asset:path` under `assemblyDir`) must hold the module its `Handler` names, else this throws
 * naming the function (a function deployed without a bundle is the gap this run exists to catch).
 */
export function templateFunctions(
  template: CfnTemplate,
  assemblyDir: string,
  local: LocalResources,
): TemplateFunction[] {
  return resourcesOfType(template, 'AWS::Lambda::Function').map(([logicalId, resource]) => {
    const props = resource.Properties ?? {};
    const handler = String(props.Description ?? logicalId).replace(/^checkout-service /, '');
    const code = props.Code as Record<string, unknown> | undefined;
    if (code?.ZipFile !== undefined) {
      throw new Error(`function ${logicalId} (${handler}) has inline placeholder code, not a bundle`);
    }
    const assetPath = resource.Metadata?.['aws:asset:path'];
    if (typeof assetPath !== 'string') throw new Error(`function ${logicalId} (${handler}) has no code asset`);
    const [moduleName, exportName] = String(props.Handler ?? 'index.handler').split('.');
    const assetDir = join(assemblyDir, assetPath);
    const file = join(assetDir, `${moduleName}.mjs`);
    if (!existsSync(file)) {
      throw new Error(`function ${logicalId} (${handler}) has no bundle: ${file} does not exist`);
    }
    const variables = ((props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ??
      {}) as Record<string, unknown>;
    const environment = Object.fromEntries(
      Object.entries(variables).map(([name, value]) => [name, local.resolve(value, `${logicalId} ${name}`)]),
    );
    const role = props.Role as { 'Fn::GetAtt'?: [string, string] } | undefined;
    return {
      logicalId,
      handler,
      assetDir,
      file,
      exportName: exportName ?? 'handler',
      timeoutMs: Number(props.Timeout ?? 3) * 1000,
      memoryMb: Number(props.MemorySize ?? 128),
      environment,
      roleId: role?.['Fn::GetAtt']?.[0] ?? '',
    };
  });
}
