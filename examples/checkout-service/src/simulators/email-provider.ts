/** An email the simulator accepted. */
export interface SentEmail {
  readonly to: string;
  readonly orderId: string;
  readonly template: string;
  readonly at: string;
}

/**
 * An email provider that, like real ones, is NOT idempotent: every send is delivered and recorded.
 * Exactly-once receipts are the worker's job (`once` per order + notification type); the ledger shows
 * whether it did it.
 */
export class EmailSimulator {
  readonly #sent: SentEmail[] = [];

  /** Records one delivery. */
  async send(email: Omit<SentEmail, 'at'>): Promise<{ readonly accepted: true }> {
    this.#sent.push({ ...email, at: new Date().toISOString() });
    return { accepted: true };
  }

  /** Every email sent, in order. */
  sent(): readonly SentEmail[] {
    return [...this.#sent];
  }
}
