/**
 * The parts of the Lambda SQS event the handler reads, declared here so the public types need no
 * `@types/aws-lambda` (which remains compatible: its `SQSEvent` is assignable to {@link SqsEvent}).
 */
export interface SqsEventRecord {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly attributes: {
    readonly ApproximateReceiveCount: string;
    readonly SentTimestamp: string;
    /** When SQS first handed the message out (epoch ms); used to respect the 12-hour visibility limit. */
    readonly ApproximateFirstReceiveTimestamp?: string | undefined;
    readonly MessageGroupId?: string | undefined;
    /** X-Ray trace header SQS carried with the message (`Root=1-...;Parent=...;Sampled=...`). */
    readonly AWSTraceHeader?: string | undefined;
  };
  readonly messageAttributes: Readonly<
    Record<
      string,
      {
        readonly stringValue?: string | undefined;
        readonly binaryValue?: string | undefined;
        readonly dataType: string;
      }
    >
  >;
  /** `arn:aws:sqs:<region>:<account>:<queue name>`. */
  readonly eventSourceARN: string;
}

/** A Lambda SQS event. */
export interface SqsEvent {
  readonly Records: readonly SqsEventRecord[];
}

/** The Lambda partial batch response (`ReportBatchItemFailures`). */
export interface SqsBatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}
