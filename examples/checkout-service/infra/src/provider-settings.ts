import type { Construct } from 'constructs';
import { InvalidSettingError } from './errors.js';

/** CDK context key of the payment provider's base URL. */
export const PAYMENT_PROVIDER_URL_CONTEXT_KEY = 'checkout:paymentProviderUrl';
/** CDK context key of the email provider's base URL. */
export const EMAIL_PROVIDER_URL_CONTEXT_KEY = 'checkout:emailProviderUrl';
/** What the workers call when no provider is configured: reserved names that never resolve. */
export const PLACEHOLDER_PROVIDERS: CheckoutProviderSettings = {
  paymentUrl: 'https://payments.example.invalid',
  emailUrl: 'https://email.example.invalid',
};

/** The external providers the workers call (`PAYMENT_PROVIDER_URL`, `EMAIL_PROVIDER_URL`). */
export interface CheckoutProviderSettings {
  /** Base URL of the payment provider (`POST <url>/payments/authorize`, `/payments/void`). */
  readonly paymentUrl: string;
  /** Base URL of the email provider (`POST <url>/emails`). */
  readonly emailUrl: string;
}

function url(scope: Construct, setting: string, value: unknown, fallback: string): string {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string' || !URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw new InvalidSettingError(setting, `${scope.node.path}: \`${setting}\` must be an http(s) URL`);
  }
  return value.replace(/\/+$/, '');
}

/** The provider URLs: `given` (the stack prop), else the CDK context, else {@link PLACEHOLDER_PROVIDERS}. */
export function resolveProviderSettings(
  scope: Construct,
  given: Partial<CheckoutProviderSettings> | undefined,
): CheckoutProviderSettings {
  return {
    paymentUrl: url(
      scope,
      given?.paymentUrl === undefined ? PAYMENT_PROVIDER_URL_CONTEXT_KEY : 'providers.paymentUrl',
      given?.paymentUrl ?? scope.node.tryGetContext(PAYMENT_PROVIDER_URL_CONTEXT_KEY),
      PLACEHOLDER_PROVIDERS.paymentUrl,
    ),
    emailUrl: url(
      scope,
      given?.emailUrl === undefined ? EMAIL_PROVIDER_URL_CONTEXT_KEY : 'providers.emailUrl',
      given?.emailUrl ?? scope.node.tryGetContext(EMAIL_PROVIDER_URL_CONTEXT_KEY),
      PLACEHOLDER_PROVIDERS.emailUrl,
    ),
  };
}
