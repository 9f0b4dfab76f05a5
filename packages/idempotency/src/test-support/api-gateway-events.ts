import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';

/** An API Gateway HTTP API (v2) event with a JWT authorizer, shaped like the ones Lambda receives. */
export function httpApiEvent(
  input: { body?: string | undefined; key?: string | undefined; sub?: string | undefined; route?: string } = {},
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const route = input.route ?? 'POST /checkout';
  const [method = 'POST', path = '/checkout'] = route.split(' ');
  return {
    version: '2.0',
    routeKey: route,
    rawPath: path,
    rawQueryString: '',
    headers: {
      'content-type': 'application/json',
      ...(input.key === undefined ? {} : { 'idempotency-key': input.key }),
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' },
      requestId: crypto.randomUUID(),
      routeKey: route,
      stage: '$default',
      time: '02/Dec/2026:13:00:00 +0000',
      timeEpoch: Date.now(),
      authorizer: {
        principalId: '',
        integrationLatency: 0,
        jwt: { claims: input.sub === undefined ? {} : { sub: input.sub }, scopes: [] },
      },
    },
    ...(input.body === undefined ? {} : { body: input.body }),
    isBase64Encoded: false,
  };
}

/** A Lambda context whose invocation ends `remainingMs` after it is made. */
export function lambdaContext(remainingMs = 30_000): Context {
  const deadline = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'checkout',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:checkout',
    memoryLimitInMB: '512',
    awsRequestId: crypto.randomUUID(),
    logGroupName: '/aws/lambda/checkout',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
