// The scheduled inventory sweeper Lambda (EventBridge, every 5 minutes): expires reservations past
// their deadline and returns their stock. Bundled by `pnpm build:lambda`.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createInventory } from '@checkout/inventory';
import { boundedDynamoDbConfig } from '../service/bounded-clients.js';
import { lambdaEnvironment } from './runtime/lambda-environment.js';

const env = lambdaEnvironment('inventory-sweep');
const inventory = createInventory({
  client: new DynamoDBClient(boundedDynamoDbConfig()),
  tableName: env.require('CHECKOUT_TABLE_INVENTORY'),
});

/**
 * Lambda entry point. A reservation it could not expire fails the invocation (after logging the
 * counts), so the function's `Errors` metric, and its alarm, see it; the next run retries it.
 */
export async function handler(): Promise<{ examined: number; expired: number; alreadySettled: number }> {
  const result = await inventory.sweepExpired();
  console.log(JSON.stringify({ sweep: result }));
  if (result.failed > 0)
    throw new Error(`inventory-sweep: ${result.failed} expired reservation(s) could not be released`);
  return { examined: result.examined, expired: result.expired, alreadySettled: result.alreadySettled };
}
