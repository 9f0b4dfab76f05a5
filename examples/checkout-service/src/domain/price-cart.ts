import { CurrencyMismatchError, UnknownSkuError } from '../errors.js';
import type { Cart } from './cart.js';

/** What the merchant sells, prices in integer minor units of `currency`. */
export interface Catalog {
  readonly currency: string;
  readonly products: ReadonlyMap<string, { readonly name: string; readonly unitPrice: number }>;
  /** Promotion codes: percentage off the subtotal, in basis points (1000 = 10 %). */
  readonly promotions: ReadonlyMap<string, { readonly percentOffBps: number; readonly minSubtotal: number }>;
  /** Tax on the discounted subtotal, in basis points (2000 = 20 %). */
  readonly taxRateBps: number;
}

/** A priced line. */
export interface PricedLine {
  readonly sku: string;
  readonly name: string;
  readonly quantity: number;
  readonly unitPrice: number;
  readonly lineTotal: number;
}

/** The checkout decision's numbers, all integer minor units. `total = subtotal - discount + tax`. */
export interface PricedCart {
  readonly currency: string;
  readonly lines: readonly PricedLine[];
  readonly subtotal: number;
  readonly discount: number;
  readonly tax: number;
  readonly total: number;
  /** The promotion applied, if the code was valid and the cart qualified. */
  readonly promoCode?: string;
}

/** Rounds half up for non-negative integers scaled by basis points. */
function applyBps(amount: number, bps: number): number {
  return Math.floor((amount * bps + 5_000) / 10_000);
}

/**
 * Prices a validated cart from the catalog: line totals, a promotion (unknown or non-qualifying codes
 * are ignored, not errors: the buyer still checks out), then tax on the discounted subtotal.
 * Integer arithmetic only.
 */
export function priceCart(cart: Cart, catalog: Catalog): PricedCart {
  if (cart.currency !== catalog.currency) throw new CurrencyMismatchError(cart.currency, catalog.currency);
  const lines = cart.lines.map((line): PricedLine => {
    const product = catalog.products.get(line.sku);
    if (product === undefined) throw new UnknownSkuError(line.sku);
    return {
      sku: line.sku,
      name: product.name,
      quantity: line.quantity,
      unitPrice: product.unitPrice,
      lineTotal: product.unitPrice * line.quantity,
    };
  });
  const subtotal = lines.reduce((sum, line) => sum + line.lineTotal, 0);
  const promotion = cart.promoCode === undefined ? undefined : catalog.promotions.get(cart.promoCode);
  const qualifies = promotion !== undefined && subtotal >= promotion.minSubtotal;
  const discount = qualifies ? applyBps(subtotal, promotion.percentOffBps) : 0;
  const tax = applyBps(subtotal - discount, catalog.taxRateBps);
  const priced = { currency: catalog.currency, lines, subtotal, discount, tax, total: subtotal - discount + tax };
  return qualifies && cart.promoCode !== undefined ? { ...priced, promoCode: cart.promoCode } : priced;
}
