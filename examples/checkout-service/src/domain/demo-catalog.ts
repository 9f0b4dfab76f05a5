import type { Catalog } from './price-cart.js';

/** The demo catalog: two ordinary products and a limited one (the hot SKU). */
export const DEMO_CATALOG: Catalog = {
  currency: 'EUR',
  products: new Map([
    ['mug', { name: 'Mug', unitPrice: 1_200 }],
    ['tee', { name: 'T-shirt', unitPrice: 2_500 }],
    ['hot', { name: 'Limited print', unitPrice: 5_000 }],
  ]),
  promotions: new Map([['TEN', { percentOffBps: 1_000, minSubtotal: 0 }]]),
  taxRateBps: 2_000,
};
