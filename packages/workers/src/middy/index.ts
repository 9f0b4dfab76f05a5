export { createMiddySqsBatchHandler, type MiddySqsBatchHandler } from './middy-sqs-batch-handler.js';
