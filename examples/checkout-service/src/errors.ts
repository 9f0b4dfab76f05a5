/** Stable codes of the example service's own errors (the packages' errors carry their own). */
export type CheckoutServiceErrorCode = 'INVALID_CART' | 'UNKNOWN_SKU' | 'CURRENCY_MISMATCH' | 'PROVIDER_UNAVAILABLE';

/** Base class of the example service's errors; `httpStatus` is what the API answers. */
export class CheckoutServiceError extends Error {
  readonly code: CheckoutServiceErrorCode;
  readonly httpStatus: number;

  constructor(code: CheckoutServiceErrorCode, httpStatus: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.httpStatus = httpStatus;
  }
}

/** The request body is not a valid cart; `issues` names each bad field. */
export class InvalidCartError extends CheckoutServiceError {
  readonly issues: ReadonlyArray<{ readonly path: string; readonly message: string }>;

  constructor(issues: ReadonlyArray<{ readonly path: string; readonly message: string }>) {
    super('INVALID_CART', 400, `invalid cart: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.issues = issues;
  }
}

/** A cart line names a SKU the catalog does not sell. */
export class UnknownSkuError extends CheckoutServiceError {
  readonly sku: string;

  constructor(sku: string) {
    super('UNKNOWN_SKU', 422, `unknown SKU ${JSON.stringify(sku)}`);
    this.sku = sku;
  }
}

/** The cart's currency is not the catalog's. */
export class CurrencyMismatchError extends CheckoutServiceError {
  constructor(cartCurrency: string, catalogCurrency: string) {
    super('CURRENCY_MISMATCH', 422, `cart currency ${cartCurrency} is not the catalog's ${catalogCurrency}`);
  }
}

/**
 * The payment provider did not answer in time or answered with a server error: the outcome is
 * unknown (it may have charged). Retry with the SAME provider request id.
 */
export class ProviderUnavailableError extends CheckoutServiceError {
  constructor(detail: string, cause?: unknown) {
    super('PROVIDER_UNAVAILABLE', 503, `payment provider unavailable: ${detail}`, { cause });
  }
}
