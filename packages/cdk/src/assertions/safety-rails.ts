/** A CloudFormation template as JSON (`Template.fromStack(stack).toJSON()` or a file from `cdk.out`). */
export interface CloudFormationTemplate {
  readonly Resources?: Readonly<Record<string, { readonly Type: string; readonly Properties?: unknown }>>;
}

/** Which rail a violation breaks. */
export type SafetyRail =
  | 'queue-dlq'
  | 'queue-encryption'
  | 'queue-age-alarm'
  | 'dlq-redrive-allow'
  | 'dlq-depth-alarm'
  | 'esm-partial-batch'
  | 'esm-max-concurrency'
  | 'function-reserved-concurrency'
  | 'visibility-timeout'
  | 'worker-queue-isolation'
  | 'table-billing'
  | 'table-ttl'
  | 'table-pitr'
  | 'iam-wildcard';

/** One broken rail on one resource. */
export interface SafetyRailViolation {
  readonly rail: SafetyRail;
  /** Logical id of the offending resource. */
  readonly logicalId: string;
  readonly message: string;
}

/**
 * Actions that accept only `Resource: "*"` (no resource-level permissions), which a statement may grant on
 * `*`: Lambda's VPC ENI management, ECR's registry login for ECS tasks pulling a private image, and
 * X-Ray's segment and telemetry writes (active tracing).
 */
export const WILDCARD_RESOURCE_ACTIONS: ReadonlySet<string> = new Set([
  'ecr:GetAuthorizationToken',
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
]);

type Json = unknown;

function record(value: Json): Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, Json>) : {};
}

function list(value: Json): Json[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Logical id a `Ref` / `Fn::GetAtt` points at, if the value is one. */
function target(value: Json): string | undefined {
  const node = record(value);
  if (typeof node.Ref === 'string') return node.Ref;
  const getAtt = node['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  return undefined;
}

/** Every logical id a value references (deep: `Fn::Join`, `Fn::Select`, ...); pseudo parameters (`AWS::Region`) excluded. */
export function referencedLogicalIds(value: Json): Set<string> {
  const out = new Set<string>();
  const walk = (node: Json): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const id = target(node);
    if (id !== undefined && !id.startsWith('AWS::')) out.add(id);
    for (const child of Object.values(node)) walk(child);
  };
  walk(value);
  return out;
}

function hasAlarm(
  alarms: ReadonlyArray<Record<string, Json>>,
  queueId: string,
  metricName: string,
  check: (alarm: Record<string, Json>) => boolean,
): boolean {
  return alarms.some(
    (alarm) =>
      alarm.Namespace === 'AWS/SQS' &&
      alarm.MetricName === metricName &&
      list(alarm.Dimensions).some((d) => record(d).Name === 'QueueName' && target(record(d).Value) === queueId) &&
      check(alarm),
  );
}

/**
 * Checks a synthesized template against the checkout safety rails and returns every violation (empty when
 * all hold). Pure: use it in your own stack's tests, e.g.
 * `expect(checkSafetyRails(Template.fromStack(stack).toJSON())).toEqual([])`.
 *
 * Rails: every queue has a DLQ via redrive policy (or is one), encryption, an `ApproximateAgeOfOldestMessage`
 * alarm; every DLQ a redrive-allow policy and a depth > 0 alarm; every SQS event source mapping reports
 * batch item failures and has `MaximumConcurrency`, its function has reserved concurrency and the queue a
 * visibility timeout >= 6x the function timeout, and its role touches no queue but its own and that
 * queue's DLQ; every DynamoDB table is on-demand with TTL and PITR;
 * no IAM statement grants `Resource: "*"` except for {@link WILDCARD_RESOURCE_ACTIONS}.
 */
export function checkSafetyRails(template: CloudFormationTemplate): SafetyRailViolation[] {
  const violations: SafetyRailViolation[] = [];
  const fail = (rail: SafetyRail, logicalId: string, message: string): void => {
    violations.push({ rail, logicalId, message });
  };
  const resources = Object.entries(template.Resources ?? {});
  const ofType = (type: string) =>
    resources.filter(([, r]) => r.Type === type).map(([id, r]) => [id, record(r.Properties)] as const);
  const queues = ofType('AWS::SQS::Queue');
  const alarms = ofType('AWS::CloudWatch::Alarm').map(([, p]) => p);
  const dlqIds = new Set(
    queues.flatMap(([, p]) => {
      const id = target(record(p.RedrivePolicy).deadLetterTargetArn);
      return id === undefined ? [] : [id];
    }),
  );

  for (const [id, p] of queues) {
    if (p.SqsManagedSseEnabled !== true && p.KmsMasterKeyId === undefined) {
      fail('queue-encryption', id, 'queue does not declare encryption (SqsManagedSseEnabled or KmsMasterKeyId)');
    }
    if (dlqIds.has(id)) {
      if (p.RedriveAllowPolicy === undefined) fail('dlq-redrive-allow', id, 'DLQ has no redrive-allow policy');
      const depth = hasAlarm(
        alarms,
        id,
        'ApproximateNumberOfMessagesVisible',
        (a) => a.Threshold === 0 && a.ComparisonOperator === 'GreaterThanThreshold',
      );
      if (!depth) fail('dlq-depth-alarm', id, 'DLQ has no ApproximateNumberOfMessagesVisible > 0 alarm');
      continue;
    }
    if (target(record(p.RedrivePolicy).deadLetterTargetArn) === undefined) {
      fail('queue-dlq', id, 'queue has no redrive policy to a DLQ');
    }
    if (!hasAlarm(alarms, id, 'ApproximateAgeOfOldestMessage', () => true)) {
      fail('queue-age-alarm', id, 'queue has no ApproximateAgeOfOldestMessage alarm');
    }
  }

  const functions = new Map(ofType('AWS::Lambda::Function'));
  const queueProps = new Map(queues);
  for (const [id, p] of ofType('AWS::Lambda::EventSourceMapping')) {
    const queueId = target(p.EventSourceArn);
    const queue = queueId === undefined ? undefined : queueProps.get(queueId);
    if (queue === undefined) continue; // not an SQS mapping of this template
    if (!list(p.FunctionResponseTypes).includes('ReportBatchItemFailures')) {
      fail('esm-partial-batch', id, 'event source mapping lacks FunctionResponseTypes: [ReportBatchItemFailures]');
    }
    if (typeof record(p.ScalingConfig).MaximumConcurrency !== 'number') {
      fail('esm-max-concurrency', id, 'event source mapping lacks ScalingConfig.MaximumConcurrency');
    }
    const fnId = target(p.FunctionName);
    const fn = fnId === undefined ? undefined : functions.get(fnId);
    if (fn === undefined || fnId === undefined) continue;
    if (typeof fn.ReservedConcurrentExecutions !== 'number') {
      fail('function-reserved-concurrency', fnId, 'SQS consumer function has no reserved concurrency');
    }
    const fnTimeout = typeof fn.Timeout === 'number' ? fn.Timeout : 3;
    const visibility = typeof queue.VisibilityTimeout === 'number' ? queue.VisibilityTimeout : 30;
    if (visibility < 6 * fnTimeout) {
      fail(
        'visibility-timeout',
        queueId ?? id,
        `visibility timeout ${visibility}s < 6 x function timeout ${fnTimeout}s`,
      );
    }
  }

  // A consumer's role may touch only its own queue and that queue's DLQ, never another queue.
  const policies = [...ofType('AWS::IAM::Policy')];
  for (const [, p] of ofType('AWS::Lambda::EventSourceMapping')) {
    const queueId = target(p.EventSourceArn);
    const fnId = target(p.FunctionName);
    if (queueId === undefined || fnId === undefined || !queueProps.has(queueId)) continue;
    const roleId = target(functions.get(fnId)?.Role);
    if (roleId === undefined) continue;
    const ownDlq = target(record(queueProps.get(queueId)?.RedrivePolicy).deadLetterTargetArn);
    const own = new Set([queueId, ...(ownDlq === undefined ? [] : [ownDlq])]);
    const foreign = new Set<string>();
    for (const [, policy] of policies) {
      if (!list(policy.Roles).some((role) => target(role) === roleId)) continue;
      for (const ref of referencedLogicalIds(policy.PolicyDocument)) {
        if (queueProps.has(ref) && !own.has(ref)) foreign.add(ref);
      }
    }
    if (foreign.size > 0) {
      fail(
        'worker-queue-isolation',
        fnId,
        `consumer of ${queueId} is granted access to other queues: ${[...foreign].join(', ')}`,
      );
    }
  }

  for (const [id, p] of ofType('AWS::DynamoDB::Table')) {
    if (p.BillingMode !== 'PAY_PER_REQUEST') fail('table-billing', id, 'table is not on-demand (PAY_PER_REQUEST)');
    const ttl = record(p.TimeToLiveSpecification);
    if (ttl.Enabled !== true || typeof ttl.AttributeName !== 'string') fail('table-ttl', id, 'table has no TTL');
    if (record(p.PointInTimeRecoverySpecification).PointInTimeRecoveryEnabled !== true) {
      fail('table-pitr', id, 'table has no point-in-time recovery');
    }
  }

  for (const [id, p] of [...ofType('AWS::IAM::Policy'), ...ofType('AWS::IAM::Role')]) {
    const documents = [
      record(p.PolicyDocument),
      ...list(p.Policies).map((policy) => record(record(policy).PolicyDocument)),
    ];
    for (const doc of documents) {
      for (const statement of list(doc.Statement).map(record)) {
        if (statement.Effect !== 'Allow' || !list(statement.Resource).includes('*')) continue;
        const actions = list(statement.Action).map(String);
        const extra = actions.filter((action) => !WILDCARD_RESOURCE_ACTIONS.has(action));
        if (extra.length > 0) fail('iam-wildcard', id, `grants ${extra.join(', ')} on Resource "*"`);
      }
    }
  }
  return violations;
}
