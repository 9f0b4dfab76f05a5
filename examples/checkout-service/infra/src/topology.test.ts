import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CloudFormationTemplate, referencedLogicalIds } from '@checkout/cdk';
import { checkoutCommands } from '@checkout/example-checkout-service/commands';
import { stageRoutes } from '@checkout/example-checkout-service/stage-routes';
import { QUEUE_NAMES, TOPOLOGY } from '@checkout/example-checkout-service/topology';
import { App } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckoutServiceStack } from './checkout-service-stack.js';
import { lambdaCode } from './lambda-code.js';

// The topology is defined once (examples/checkout-service/src/topology.ts) and the commands name their
// queue; this synthesizes the CDK app and checks that what it deploys is what the code sends and handles.
const outdir = mkdtempSync(join(tmpdir(), 'checkout-topology-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));
const app = new App({ outdir });
const stack = new CheckoutServiceStack(app, 'CheckoutService', {
  code: lambdaCode(undefined),
  jwtAuthorizer: { issuerUrl: 'https://issuer.example.test/', audience: ['checkout'] },
});
const template = app.synth().getStackArtifact(stack.artifactId).template as Required<CloudFormationTemplate>;
type Resource = { Type: string; Properties: Record<string, unknown> };
const resources = template.Resources as Record<string, Resource>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const only = <T>(items: readonly T[], what: string): T => {
  if (items.length !== 1) throw new Error(`expected exactly one ${what}, found ${items.length}`);
  return items[0] as T;
};

/** The relay's `OUTBOX_DESTINATIONS`, rendered with each queue Ref as its logical id. */
function relayDestinations(): Record<string, string> {
  const relay = only(
    ofType('AWS::Lambda::Function').filter(([, r]) => r.Properties.Description === 'checkout-service outbox-relay'),
    'outbox relay function',
  );
  const variables = (relay[1].Properties.Environment as { Variables: Record<string, unknown> }).Variables;
  const [separator, parts] = (
    variables.OUTBOX_DESTINATIONS as { 'Fn::Join': [string, Array<string | { Ref: string }>] }
  )['Fn::Join'];
  return JSON.parse(parts.map((part) => (typeof part === 'string' ? part : part.Ref)).join(separator)) as Record<
    string,
    string
  >;
}

/** The routes' handlers close over their dependencies and never touch them while being listed. */
const routesOf = (queue: (typeof QUEUE_NAMES)[number]) => stageRoutes({} as Parameters<typeof stageRoutes>[0], queue);

describe('topology: one definition for the code, the local runner and the CDK app', () => {
  const destinations = relayDestinations();

  it("every command's destination is a queue of the template, with the stage's FIFO setting", () => {
    for (const command of checkoutCommands) {
      const destination = command.destination;
      expect(destination, command.type).toBeDefined();
      const queueId = destinations[destination ?? ''];
      expect(queueId, `${command.type} -> ${destination}`).toBeDefined();
      const queue = resources[queueId ?? ''];
      expect(queue?.Type).toBe('AWS::SQS::Queue');
      const fifo = TOPOLOGY[destination as (typeof QUEUE_NAMES)[number]].fifo;
      expect(queue?.Properties.FifoQueue === true, `${destination} FIFO`).toBe(fifo);
    }
  });

  it("the relay's destination map is exactly the topology's queues (every destination covered, none extra)", () => {
    expect(Object.keys(destinations).sort()).toEqual([...QUEUE_NAMES].sort());
    const used = new Set(checkoutCommands.map((command) => command.destination));
    for (const name of QUEUE_NAMES) expect(used.has(name), `a command goes to ${name}`).toBe(true);
  });

  it('every queue has one worker, the stage Lambda, whose routes handle exactly the commands sent to it', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping');
    const functions = new Map(ofType('AWS::Lambda::Function'));
    for (const name of QUEUE_NAMES) {
      const queueId = destinations[name] ?? '';
      const [, mapping] = only(
        mappings.filter(([, m]) => referencedLogicalIds(m.Properties.EventSourceArn as never).has(queueId)),
        `event source mapping on ${name}`,
      );
      const functionId = only([...referencedLogicalIds(mapping.Properties.FunctionName as never)], 'function');
      expect(functions.get(functionId)?.Properties.Description).toBe(`checkout-service ${name}-worker`);
      expect(mapping.Properties).toMatchObject({
        BatchSize: TOPOLOGY[name].lambdaBatchSize,
        ScalingConfig: { MaximumConcurrency: TOPOLOGY[name].lambdaMaxConcurrency },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      expect(functions.get(functionId)?.Properties.ReservedConcurrentExecutions).toBe(TOPOLOGY[name].concurrency);
      const handled = routesOf(name)
        .map((route) => route.command.type)
        .sort();
      const sent = checkoutCommands
        .filter((command) => command.destination === name)
        .map((command) => command.type)
        .sort();
      expect(handled, name).toEqual(sent);
    }
  });

  it("each queue's DLQ and oldest-message alarm follow the stage", () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
    for (const name of QUEUE_NAMES) {
      const queueId = destinations[name] ?? '';
      const queue = resources[queueId];
      const redrive = queue?.Properties.RedrivePolicy as { maxReceiveCount: number } | undefined;
      expect(redrive?.maxReceiveCount, name).toBe(TOPOLOGY[name].maxReceiveCount);
      const ageAlarm = alarms.filter(
        (alarm) =>
          alarm.MetricName === 'ApproximateAgeOfOldestMessage' &&
          referencedLogicalIds(alarm.Dimensions as never).has(queueId),
      );
      expect(
        ageAlarm.map((alarm) => alarm.Threshold),
        name,
      ).toEqual([TOPOLOGY[name].oldestAgeAlarmSeconds]);
    }
  });
});
