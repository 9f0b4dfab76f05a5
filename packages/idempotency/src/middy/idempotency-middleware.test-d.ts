import middy from '@middy/core';
import type {
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  APIGatewayProxyResult,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import { describe, expectTypeOf, it } from 'vitest';
import { createMemoryIdempotencyStore } from '../index.js';
import { type ApiEventLike, createIdempotencyMiddleware } from './index.js';

const store = createMemoryIdempotencyStore();

describe('createIdempotencyMiddleware types', () => {
  it('accepts the API Gateway event types of @types/aws-lambda as ApiEventLike', () => {
    expectTypeOf<APIGatewayProxyEventV2>().toExtend<ApiEventLike>();
    expectTypeOf<APIGatewayProxyEvent>().toExtend<ApiEventLike>();
  });

  it('fits a typed Middy chain and types the option functions by the event', () => {
    middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
      .use(
        createIdempotencyMiddleware<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>({
          store,
          scope: (event) => event.requestContext.accountId,
          key: (event) => event.headers['idempotency-key'],
          fingerprint: (event) => event.body,
        }),
      )
      .handler(async () => ({ statusCode: 201 }));
    middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
      .use(createIdempotencyMiddleware({ store }))
      .handler(async () => ({ statusCode: 201, body: '{}' }));
    createIdempotencyMiddleware<{ orderId: string }>({
      store,
      // @ts-expect-error: the key function gets the event type
      key: (event) => event.missing,
    });
  });
});
