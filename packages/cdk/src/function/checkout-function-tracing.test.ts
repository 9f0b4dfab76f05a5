import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { checkSafetyRails } from '../assertions/safety-rails.js';
import { inlineCode, testStack } from '../test-support/checkout-fixture.js';
import { CheckoutFunction } from './checkout-function.js';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

function synth(tracing?: boolean) {
  const stack = testStack();
  const fn = new CheckoutFunction(stack, 'Fn', {
    code: inlineCode,
    reservedConcurrency: 1,
    ...(tracing === undefined ? {} : { tracing }),
  });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Resources;
  const lambdaProps = Object.values(resources).find((r) => r.Type === 'AWS::Lambda::Function')?.Properties ?? {};
  const actions = Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement)
    .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
  return { fn, template, lambdaProps, actions };
}

describe('CheckoutFunction tracing', () => {
  it('turns X-Ray active tracing on by default, with the two X-Ray write actions on its role (a safety rail allows them on *)', () => {
    const { fn, template, lambdaProps, actions } = synth();
    expect(fn.tracing).toBe(true);
    expect(lambdaProps.TracingConfig).toEqual({ Mode: 'Active' });
    expect(actions).toEqual(expect.arrayContaining(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']));
    expect(checkSafetyRails(template.toJSON()).filter((v) => v.rail === 'iam-wildcard')).toEqual([]);
  });

  it('tracing: false turns it off and grants nothing of X-Ray', () => {
    const { fn, lambdaProps, actions } = synth(false);
    expect(fn.tracing).toBe(false);
    expect(lambdaProps.TracingConfig).toBeUndefined();
    expect(actions.filter((a) => a.startsWith('xray:'))).toEqual([]);
  });

  it('refuses a tracing that is not a boolean', () => {
    expect(() => synth('yes' as unknown as boolean)).toThrow(
      expect.objectContaining({ code: 'CDK_INVALID_CONFIG', field: 'tracing' }),
    );
  });
});
