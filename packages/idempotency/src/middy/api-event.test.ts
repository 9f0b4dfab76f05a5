import { describe, expect, it } from 'vitest';
import { httpApiEvent } from '../test-support/api-gateway-events.js';
import { apiBodyFingerprint, apiIdempotencyKey, apiPrincipal, apiRoute, apiScope, isApiEvent } from './api-event.js';

describe('API Gateway defaults of the Middy middleware', () => {
  it('recognises HTTP events: REST and ALB (httpMethod), HTTP API and function URLs (requestContext.http)', () => {
    expect(isApiEvent({ httpMethod: 'POST' })).toBe(true);
    expect(isApiEvent(httpApiEvent())).toBe(true);
    for (const other of [
      undefined,
      null,
      'x',
      { Records: [] },
      { requestContext: {} },
      { requestContext: { http: {} } },
    ]) {
      expect(isApiEvent(other)).toBe(false);
    }
  });

  it('reads the Idempotency-Key header in any case, and nothing else', () => {
    expect(apiIdempotencyKey({ headers: { 'Idempotency-Key': 'a' } })).toBe('a');
    expect(apiIdempotencyKey({ headers: { 'IDEMPOTENCY-KEY': 'b' } })).toBe('b');
    expect(apiIdempotencyKey({ headers: { 'x-idempotency-key': 'c' } })).toBeUndefined();
    expect(apiIdempotencyKey({ headers: null })).toBeUndefined();
    expect(apiIdempotencyKey({})).toBeUndefined();
  });

  it('finds the principal from a JWT authorizer, a Cognito authorizer or a Lambda authorizer', () => {
    expect(apiPrincipal(httpApiEvent({ sub: 'u-1' }))).toBe('u-1');
    expect(apiPrincipal({ requestContext: { authorizer: { claims: { sub: 'u-2' } } } })).toBe('u-2');
    expect(apiPrincipal({ requestContext: { authorizer: { principalId: 'u-3' } } })).toBe('u-3');
    expect(apiPrincipal(httpApiEvent())).toBeUndefined();
    expect(apiPrincipal({ requestContext: { authorizer: { jwt: { claims: { sub: 42 } } } } })).toBeUndefined();
  });

  it('scopes a key to the principal and the route', () => {
    expect(apiRoute(httpApiEvent({ route: 'POST /refund' }))).toBe('POST /refund');
    expect(apiRoute({ httpMethod: 'POST', resource: '/orders/{id}' })).toBe('POST /orders/{id}');
    expect(apiRoute({ httpMethod: 'POST', path: '/checkout' })).toBe('POST /checkout');
    expect(apiScope(httpApiEvent({ sub: 'u-1' }))).toBe('u-1:POST /checkout');
    expect(apiScope(httpApiEvent())).toBeUndefined();
  });

  it('fingerprints the body by content: JSON parsed, text as text, base64 as such, parsed bodies alike', () => {
    expect(apiBodyFingerprint({ body: '{"a":1,"b":[2]}' })).toEqual({ json: { a: 1, b: [2] } });
    expect(apiBodyFingerprint({ body: { a: 1, b: [2] } })).toEqual({ json: { a: 1, b: [2] } });
    expect(apiBodyFingerprint({ body: 'not json' })).toEqual({ text: 'not json' });
    expect(apiBodyFingerprint({ body: '"abc"' })).not.toEqual(apiBodyFingerprint({ body: 'abc' }));
    expect(apiBodyFingerprint({ body: 'e30=', isBase64Encoded: true })).toEqual({ base64: 'e30=' });
    expect(apiBodyFingerprint({ body: null })).toBeNull();
    expect(apiBodyFingerprint({})).toBeNull();
  });
});
