// `pnpm synth`: synthesizes the example's CloudFormation template into cdk.out/, offline (no AWS account,
// no lookups, no bundling). `cdk deploy` runs this same file (see cdk.json).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { CheckoutServiceStack } from '../src/checkout-service-stack.js';
import { lambdaCode } from '../src/lambda-code.js';

const dist = process.env.CHECKOUT_LAMBDA_DIST;
const app = new App({
  // The CLI passes its output dir; `pnpm synth` writes next to cdk.json.
  outdir: process.env.CDK_OUTDIR ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'cdk.out'),
  // Fail synthesis on CloudFormation schema errors found by CDK's built-in validation, not just warn.
  context: { '@aws-cdk/core:validateAgainstDefaultRules': true },
});
const stack = new CheckoutServiceStack(app, process.env.CHECKOUT_STACK_NAME ?? 'CheckoutService', {
  code: lambdaCode(dist),
  // Account and region come from the CLI's credentials at deploy time; synthesis stays environment-agnostic.
  ...(process.env.CDK_DEFAULT_ACCOUNT === undefined || process.env.CDK_DEFAULT_REGION === undefined
    ? {}
    : { env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION } }),
});
const assembly = app.synth();
const artifact = assembly.getStackArtifact(stack.artifactId);
const resources = Object.keys((artifact.template as { Resources?: object }).Resources ?? {}).length;
console.error(`synthesized ${stack.stackName}: ${resources} resources -> ${artifact.templateFullPath}`);
if (dist === undefined) {
  console.error('note: Lambda code is a placeholder (set CHECKOUT_LAMBDA_DIST to deploy real handlers)');
}
