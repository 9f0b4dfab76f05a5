export {
  createSqsBatchHandler,
  type SqsBatchHandler,
  type SqsBatchHandlerOptions,
} from './sqs-batch-handler.js';
export type { SqsBatchResponse, SqsEvent, SqsEventRecord } from './sqs-event.js';
