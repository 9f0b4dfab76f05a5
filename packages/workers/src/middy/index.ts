export { createMiddySqsBatchHandler } from './middy-sqs-batch-handler.js';
