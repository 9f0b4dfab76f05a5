// `pnpm synth`: builds the Lambda bundles (`build:lambda`) and synthesizes the example's CloudFormation
// template into cdk.out/, offline (no AWS account, no lookups). `cdk deploy` runs this same file (see
// cdk.json). Every function gets its real bundle from ../dist/lambda/<handler> (or CHECKOUT_LAMBDA_DIST);
// a missing bundle fails synthesis naming it. Placeholder code only with `--placeholder-code`.
//
// The JWT authorizer every API route is behind comes from CHECKOUT_JWT_ISSUER_URL + CHECKOUT_JWT_AUDIENCE
// (comma-separated), else from the CDK context `checkout:jwtIssuerUrl` + `checkout:jwtAudience`; without
// either synthesis fails naming the setting. Only `pnpm synth` (flag `--placeholder-authorizer`) falls back
// to a placeholder issuer under the reserved `.invalid` domain, which can never serve keys: a stack deployed
// with it refuses every request, it is never open.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { CheckoutServiceStack } from '../src/checkout-service-stack.js';
import { type CheckoutJwtAuthorizerSettings, JWT_ISSUER_URL_CONTEXT_KEY } from '../src/jwt-authorizer-settings.js';
import { DEFAULT_LAMBDA_DIST, lambdaCode } from '../src/lambda-code.js';
import { PAYMENT_PROVIDER_URL_CONTEXT_KEY } from '../src/provider-settings.js';

const placeholderCode = process.argv.includes('--placeholder-code');
const dist = placeholderCode ? undefined : (process.env.CHECKOUT_LAMBDA_DIST ?? DEFAULT_LAMBDA_DIST);
const app = new App({
  // The CLI passes its output dir; `pnpm synth` writes next to cdk.json.
  outdir: process.env.CDK_OUTDIR ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'cdk.out'),
  // Fail synthesis on CloudFormation schema errors found by CDK's built-in validation, not just warn.
  context: { '@aws-cdk/core:validateAgainstDefaultRules': true },
});
const PLACEHOLDER_JWT_AUTHORIZER: CheckoutJwtAuthorizerSettings = {
  issuerUrl: 'https://issuer.example.invalid/',
  audience: ['checkout-api'],
};
const issuerFromEnv = process.env.CHECKOUT_JWT_ISSUER_URL;
const placeholderAuthorizer =
  issuerFromEnv === undefined &&
  app.node.tryGetContext(JWT_ISSUER_URL_CONTEXT_KEY) === undefined &&
  process.argv.includes('--placeholder-authorizer');
const jwtAuthorizer: CheckoutJwtAuthorizerSettings | undefined =
  issuerFromEnv !== undefined
    ? { issuerUrl: issuerFromEnv, audience: (process.env.CHECKOUT_JWT_AUDIENCE ?? '').split(',') }
    : placeholderAuthorizer
      ? PLACEHOLDER_JWT_AUTHORIZER
      : undefined; // the stack reads the CDK context, or fails naming the missing setting
const stack = new CheckoutServiceStack(app, process.env.CHECKOUT_STACK_NAME ?? 'CheckoutService', {
  code: lambdaCode(dist),
  ...(jwtAuthorizer === undefined ? {} : { jwtAuthorizer }),
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
  console.error('note: Lambda code is a placeholder (--placeholder-code): every invocation fails; do not deploy');
}
if (placeholderAuthorizer) {
  console.error(
    `note: JWT issuer is a placeholder (${PLACEHOLDER_JWT_AUTHORIZER.issuerUrl}); set CHECKOUT_JWT_ISSUER_URL and CHECKOUT_JWT_AUDIENCE to deploy`,
  );
}
if (app.node.tryGetContext(PAYMENT_PROVIDER_URL_CONTEXT_KEY) === undefined) {
  console.error(
    'note: provider URLs are placeholders (*.example.invalid); set -c checkout:paymentProviderUrl=... -c checkout:emailProviderUrl=... to deploy',
  );
}
