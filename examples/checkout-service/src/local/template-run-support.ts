// What the infra package's template-driven local run (`infra/src/template-run.int.test.ts`) needs from
// the example besides the Lambda bundles: the migrations it applies before deploying code (as an
// operator would), the simulators standing in for the providers, and the demo's invariants.

export { migrateCheckoutDatabase, TABLES } from '../db/migrations.js';
export { DEMO_CATALOG } from '../domain/demo-catalog.js';
export { type CheckoutSubmission, checkInvariants } from '../invariants/check-invariants.js';
export { CHECKOUT_SCHEMA } from '../lambda/runtime/lambda-deps.js';
export { createCheckoutDeps } from '../service/checkout-deps.js';
export { EmailSimulator } from '../simulators/email-provider.js';
export { PaymentProviderSimulator } from '../simulators/payment-provider.js';
export { PaymentProviderClient, startSimulatorServer } from '../simulators/simulator-server.js';
