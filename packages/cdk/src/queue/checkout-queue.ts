import { Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CheckoutCdkConfigError, VisibilityTimeoutTooShortError } from '../errors.js';
import { checkInteger, concreteSeconds } from '../internal/duration.js';

/** Props of {@link CheckoutQueue}. */
export interface CheckoutQueueProps {
  /** Base physical name (`[A-Za-z0-9_-]`, max 70); the DLQ is `<name>-dlq`, FIFO adds `.fifo`. Default: from the construct path. */
  readonly queueName?: string;
  /** FIFO queue (and FIFO DLQ). Default: `false`. */
  readonly fifo?: boolean;
  /** Receives before a message moves to the DLQ. Default: 5. */
  readonly maxReceiveCount?: number;
  /**
   * Timeout of the function that will consume this queue. The visibility timeout becomes 6x this value
   * (the AWS guidance), unless `visibilityTimeout` is given. Default: 30 s.
   */
  readonly consumerTimeout?: Duration;
  /** Explicit visibility timeout; must be >= 6x `consumerTimeout` when both are given. */
  readonly visibilityTimeout?: Duration;
  /**
   * Alarm when the oldest message is older than this: tight for payments (a buyer waits), loose for
   * notifications and analytics. Default: 5 minutes.
   */
  readonly oldestMessageAgeAlarmThreshold?: Duration;
  /** Message retention of the main queue. Default: 4 days. The DLQ keeps 14 days (the maximum). */
  readonly retentionPeriod?: Duration;
  /** Customer-managed KMS key. Default: SQS-managed encryption (SSE-SQS), which needs no key grants. */
  readonly encryptionKey?: kms.IKey;
  /** Actions (e.g. an SNS topic) for both alarms. */
  readonly alarmActions?: ReadonlyArray<cloudwatch.IAlarmAction>;
  /**
   * What happens to the queue and its DLQ when they leave the stack. Default: `RETAIN` (they hold
   * commands not yet handled and parked poison: deleting the stack must not delete them).
   */
  readonly removalPolicy?: RemovalPolicy;
}

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,70}$/;
const DLQ_RETENTION = Duration.days(14);

/**
 * An SQS queue with its safety rails: a DLQ with a redrive policy and a redrive-allow policy naming only
 * this queue, encryption at rest, TLS-only access, a visibility timeout derived from the consumer's
 * timeout, an alarm on `ApproximateAgeOfOldestMessage` and an alarm on any message in the DLQ.
 */
export class CheckoutQueue extends Construct {
  /** The main queue. */
  readonly queue: sqs.Queue;
  /** Its dead-letter queue. */
  readonly deadLetterQueue: sqs.Queue;
  /** Whether both queues are FIFO. */
  readonly fifo: boolean;
  /** Receives before a message moves to the DLQ. */
  readonly maxReceiveCount: number;
  /** Visibility timeout of the main queue. */
  readonly visibilityTimeout: Duration;
  /** Fires when the oldest message is older than the threshold. */
  readonly oldestMessageAgeAlarm: cloudwatch.Alarm;
  /** Fires when the DLQ holds any message. */
  readonly deadLetterDepthAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: CheckoutQueueProps = {}) {
    super(scope, id);
    const path = this.node.path;
    this.fifo = props.fifo ?? false;
    this.maxReceiveCount = checkInteger(props.maxReceiveCount ?? 5, 1, 1000, path, 'maxReceiveCount');
    const consumerTimeout = props.consumerTimeout ?? Duration.seconds(30);
    const consumerSeconds = concreteSeconds(consumerTimeout, path, 'consumerTimeout');
    this.visibilityTimeout = props.visibilityTimeout ?? Duration.seconds(6 * consumerSeconds);
    const visibilitySeconds = checkInteger(
      concreteSeconds(this.visibilityTimeout, path, 'visibilityTimeout'),
      0,
      43_200,
      path,
      'visibilityTimeout',
    );
    if (props.consumerTimeout !== undefined && visibilitySeconds < 6 * consumerSeconds) {
      throw new VisibilityTimeoutTooShortError(path, visibilitySeconds, consumerSeconds, 'visibilityTimeout');
    }
    const retention = props.retentionPeriod ?? Duration.days(4);
    const retentionSeconds = concreteSeconds(retention, path, 'retentionPeriod');
    if (retentionSeconds < 60 || retentionSeconds >= DLQ_RETENTION.toSeconds()) {
      // A standard DLQ keeps the original enqueue time: it must retain longer than the source queue.
      throw new CheckoutCdkConfigError(
        path,
        'retentionPeriod',
        'must be >= 60 s and shorter than the DLQ retention (14 days)',
      );
    }
    const ageThreshold = props.oldestMessageAgeAlarmThreshold ?? Duration.minutes(5);
    const ageSeconds = concreteSeconds(ageThreshold, path, 'oldestMessageAgeAlarmThreshold');
    if (ageSeconds < 60) {
      throw new CheckoutCdkConfigError(path, 'oldestMessageAgeAlarmThreshold', 'must be >= 60 s (metric resolution)');
    }

    const baseName = props.queueName ?? Names.uniqueResourceName(this, { maxLength: 70, separator: '-' });
    if (!QUEUE_NAME.test(baseName)) {
      throw new CheckoutCdkConfigError(
        path,
        'queueName',
        `must match ${QUEUE_NAME} (no .fifo suffix), got ${baseName}`,
      );
    }
    const suffix = this.fifo ? '.fifo' : '';
    const queueName = `${baseName}${suffix}`;
    const encryption =
      props.encryptionKey === undefined
        ? { encryption: sqs.QueueEncryption.SQS_MANAGED }
        : { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: props.encryptionKey };
    // The source ARN is built from the name, not referenced, so the DLQ's allow policy does not depend on the
    // queue that depends on the DLQ (which would be a CloudFormation cycle).
    const sourceArn = Stack.of(this).formatArn({ service: 'sqs', resource: queueName });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      queueName: `${baseName}-dlq${suffix}`,
      ...(this.fifo ? { fifo: true } : {}),
      retentionPeriod: DLQ_RETENTION,
      enforceSSL: true,
      ...encryption,
      redriveAllowPolicy: {
        redrivePermission: sqs.RedrivePermission.BY_QUEUE,
        sourceQueues: [sqs.Queue.fromQueueArn(this, 'SourceQueueRef', sourceArn)],
      },
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      queueName,
      ...(this.fifo ? { fifo: true } : {}),
      visibilityTimeout: this.visibilityTimeout,
      retentionPeriod: retention,
      enforceSSL: true,
      ...encryption,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: this.maxReceiveCount },
    });

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.queue.applyRemovalPolicy(removalPolicy);
    this.deadLetterQueue.applyRemovalPolicy(removalPolicy);
    this.oldestMessageAgeAlarm = this.queue
      .metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum' })
      .createAlarm(this, 'OldestMessageAgeAlarm', {
        alarmDescription: `Oldest message in ${id} is older than ${ageSeconds}s: consumer stuck, throttled or failing.`,
        threshold: ageSeconds,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    this.deadLetterDepthAlarm = this.deadLetterQueue
      .metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' })
      .createAlarm(this, 'DeadLetterDepthAlarm', {
        alarmDescription: `Messages in the DLQ of ${id}: inspect and redrive.`,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    for (const action of props.alarmActions ?? []) {
      this.oldestMessageAgeAlarm.addAlarmAction(action);
      this.deadLetterDepthAlarm.addAlarmAction(action);
    }
  }

  /**
   * Throws {@link VisibilityTimeoutTooShortError} unless the visibility timeout is >= 6x `functionTimeout`.
   * `CheckoutWorker` calls it; call it yourself when wiring your own consumer.
   */
  assertConsumerTimeout(functionTimeout: Duration, constructPath: string = this.node.path): void {
    const functionSeconds = concreteSeconds(functionTimeout, constructPath, 'timeout');
    const visibilitySeconds = this.visibilityTimeout.toSeconds();
    if (visibilitySeconds < 6 * functionSeconds) {
      throw new VisibilityTimeoutTooShortError(constructPath, visibilitySeconds, functionSeconds, 'timeout');
    }
  }

  /** Send rights on the main queue (e.g. for the outbox relay). */
  grantSendMessages(grantee: iam.IGrantable): iam.Grant {
    return this.queue.grantSendMessages(grantee);
  }

  /** `ApproximateAgeOfOldestMessage` (Maximum, 1 min) of the main queue. */
  metricAgeOfOldestMessage(): cloudwatch.IMetric {
    return this.queue.metricApproximateAgeOfOldestMessage({
      period: Duration.minutes(1),
      statistic: 'Maximum',
      label: this.node.id,
    });
  }

  /** `ApproximateNumberOfMessagesVisible` (Maximum, 1 min) of the DLQ. */
  metricDeadLetterDepth(): cloudwatch.IMetric {
    return this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(1),
      statistic: 'Maximum',
      label: `${this.node.id} DLQ`,
    });
  }
}
