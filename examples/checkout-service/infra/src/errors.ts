/** Stable codes of every error the example's CDK app throws (during synthesis). */
export type CheckoutInfraErrorCode = 'MISSING_SETTING' | 'INVALID_SETTING';

/** Base class of every error the example's CDK app throws; switch on `code`, not on the message. */
export class CheckoutInfraError extends Error {
  /** Stable machine-readable code. */
  readonly code: CheckoutInfraErrorCode;
  /** The setting at fault, as the user sets it (a CDK context key such as `checkout:jwtIssuerUrl`). */
  readonly setting: string;

  constructor(code: CheckoutInfraErrorCode, setting: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.setting = setting;
  }
}

/** A setting the stack cannot be deployed safely without was not given. */
export class MissingSettingError extends CheckoutInfraError {
  constructor(setting: string, message: string) {
    super('MISSING_SETTING', setting, message);
  }
}

/** A setting was given but its value is unusable (e.g. an issuer that is not an https URL). */
export class InvalidSettingError extends CheckoutInfraError {
  constructor(setting: string, message: string) {
    super('INVALID_SETTING', setting, message);
  }
}
