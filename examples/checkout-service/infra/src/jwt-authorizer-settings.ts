import { Token } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { InvalidSettingError, MissingSettingError } from './errors.js';

/** CDK context key of the JWT issuer URL (`cdk.json` `context`, or `cdk deploy -c checkout:jwtIssuerUrl=...`). */
export const JWT_ISSUER_URL_CONTEXT_KEY = 'checkout:jwtIssuerUrl';
/** CDK context key of the accepted JWT audiences: a string array, or one comma-separated string. */
export const JWT_AUDIENCE_CONTEXT_KEY = 'checkout:jwtAudience';

/** The identity provider whose tokens the HTTP API accepts (API Gateway JWT authorizer). */
export interface CheckoutJwtAuthorizerSettings {
  /**
   * The token issuer (`iss`), an https URL: API Gateway reads `<issuerUrl>/.well-known/openid-configuration`
   * and the keys it names. Cognito: `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`.
   */
  readonly issuerUrl: string;
  /** Accepted audiences: a token's `aud` (or, for access tokens without `aud`, `client_id`) must match one. At least one. */
  readonly audience: readonly string[];
}

const HOW_TO_SET =
  `set the CDK context \`${JWT_ISSUER_URL_CONTEXT_KEY}\` and \`${JWT_AUDIENCE_CONTEXT_KEY}\` ` +
  '(cdk.json, or `cdk deploy -c key=value`), or pass the stack prop `jwtAuthorizer` ' +
  '(the example app passes CHECKOUT_JWT_ISSUER_URL and CHECKOUT_JWT_AUDIENCE)';

function audienceList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return value.split(',').map((entry) => entry.trim());
  if (Array.isArray(value) && value.every((entry): entry is string => typeof entry === 'string')) {
    return value.map((entry) => entry.trim());
  }
  return undefined;
}

/**
 * The JWT authorizer settings of the stack: `given` (the stack prop) when present, else the CDK context
 * of `scope`. Throws {@link MissingSettingError} naming the setting when the issuer or every audience is
 * missing (an HTTP API without an authorizer is never synthesized), {@link InvalidSettingError} when the
 * issuer is not an https URL or an audience is not a string.
 */
export function resolveJwtAuthorizerSettings(
  scope: Construct,
  given: CheckoutJwtAuthorizerSettings | undefined,
): CheckoutJwtAuthorizerSettings {
  const issuerSetting = given === undefined ? JWT_ISSUER_URL_CONTEXT_KEY : 'jwtAuthorizer.issuerUrl';
  const audienceSetting = given === undefined ? JWT_AUDIENCE_CONTEXT_KEY : 'jwtAuthorizer.audience';
  const issuer: unknown = given === undefined ? scope.node.tryGetContext(JWT_ISSUER_URL_CONTEXT_KEY) : given.issuerUrl;
  const rawAudience: unknown =
    given === undefined ? scope.node.tryGetContext(JWT_AUDIENCE_CONTEXT_KEY) : given.audience;

  if (issuer === undefined || issuer === null || (typeof issuer === 'string' && issuer.trim() === '')) {
    throw new MissingSettingError(
      issuerSetting,
      `${scope.node.path}: no JWT issuer for the HTTP API authorizer (\`${issuerSetting}\` is missing); ` +
        `every route requires an authenticated principal, so the API is not synthesized without one: ${HOW_TO_SET}`,
    );
  }
  if (typeof issuer !== 'string') {
    throw new InvalidSettingError(issuerSetting, `${scope.node.path}: \`${issuerSetting}\` must be a string`);
  }
  if (!Token.isUnresolved(issuer) && !URL.canParse(issuer)) {
    throw new InvalidSettingError(
      issuerSetting,
      `${scope.node.path}: \`${issuerSetting}\` must be an https URL (the token issuer), got ${JSON.stringify(issuer.slice(0, 200))}`,
    );
  }
  if (!Token.isUnresolved(issuer) && new URL(issuer).protocol !== 'https:') {
    throw new InvalidSettingError(
      issuerSetting,
      `${scope.node.path}: \`${issuerSetting}\` must be an https URL (API Gateway fetches the issuer's keys over https), got ${JSON.stringify(issuer.slice(0, 200))}`,
    );
  }

  const parsed = rawAudience === undefined || rawAudience === null ? [] : audienceList(rawAudience);
  if (parsed === undefined) {
    throw new InvalidSettingError(
      audienceSetting,
      `${scope.node.path}: \`${audienceSetting}\` must be a string array or a comma-separated string`,
    );
  }
  const audience = parsed.filter((entry) => entry !== '');
  if (audience.length === 0) {
    throw new MissingSettingError(
      audienceSetting,
      `${scope.node.path}: no accepted JWT audience for the HTTP API authorizer (\`${audienceSetting}\` is missing or empty); ` +
        `without one any token of the issuer would do: ${HOW_TO_SET}`,
    );
  }
  return { issuerUrl: issuer, audience };
}
