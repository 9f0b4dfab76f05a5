import { ProviderThrottledError, ProviderUnavailableError } from '../errors.js';
import { createSeededRandom, type SeededRandom } from '../random/seeded-random.js';

/** Faults the simulated provider injects, each decided once per provider request id. */
export interface PaymentFaults {
  /** Base latency of every call, ms. */
  readonly latencyMs: number;
  /** Probability of a latency spike, and its extra latency. */
  readonly spikeRate: number;
  readonly spikeMs: number;
  /** Probability that an authorization is declined (a business result, not an error). */
  readonly declineRate: number;
  /** Probability that the provider charges but the response is lost (the caller sees a timeout). */
  readonly lostResponseRate: number;
  /**
   * How many answers in a row are lost for a request id picked by `lostResponseRate` (default 1: the
   * first only, so a retry with the same id gets through; 2 also loses a worker's inline retry).
   */
  readonly lostResponsesPerRequest: number;
  /** Calls (authorize and void) accepted per rolling second; more are refused with 429. Default unlimited. */
  readonly rateLimitPerSecond: number;
}

/** An authorization request. `requestId` is the provider idempotency key: one charge per id, ever. */
export interface AuthorizeRequest {
  readonly requestId: string;
  readonly orderId: string;
  readonly amount: number;
  readonly currency: string;
  readonly paymentToken: string;
}

/** The provider's answer to an authorization. */
export type AuthorizeResult =
  | { readonly status: 'authorized'; readonly authorizationId: string }
  | { readonly status: 'declined'; readonly reason: string };

/** One row of the provider's ledger: what the provider believes happened, whatever callers saw. */
export interface LedgerEntry {
  readonly requestId: string;
  readonly orderId: string;
  readonly amount: number;
  readonly currency: string;
  readonly status: 'authorized' | 'declined' | 'voided';
  readonly authorizationId?: string;
}

const DEFAULT_FAULTS: PaymentFaults = {
  latencyMs: 0,
  spikeRate: 0,
  spikeMs: 0,
  declineRate: 0,
  lostResponseRate: 0,
  lostResponsesPerRequest: 1,
  rateLimitPerSecond: Number.POSITIVE_INFINITY,
};

/** A payment token that is always declined, for deterministic tests. */
export const DECLINED_TOKEN = 'tok_decline';

const sleep = (ms: number) => (ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

/**
 * A payment provider that behaves like the real ones where it matters: idempotent by request id
 * (a retry with the same id never charges twice and returns the first answer), slow sometimes,
 * declines some cards, sometimes charges but loses the response, and refuses calls above its rate
 * limit with 429 (before doing anything).
 */
export class PaymentProviderSimulator {
  readonly #faults: PaymentFaults;
  readonly #random: SeededRandom;
  readonly #byRequest = new Map<string, LedgerEntry>();
  /** Answers still to lose, by request id (see `lostResponsesPerRequest`); an id stays once picked. */
  readonly #toLose = new Map<string, number>();
  /** Start times of the calls accepted in the last second (the rate limit's window). */
  readonly #window: number[] = [];
  /** Request ids cancelled before the provider saw them: a later authorize with one is declined. */
  readonly #cancelled = new Set<string>();
  #sequence = 0;
  #spikes = 0;
  #throttled = 0;
  #outageUntil = 0;
  #outages = 0;
  #outageCalls = 0;

  constructor(options: { readonly seed: number; readonly faults?: Partial<PaymentFaults> }) {
    this.#faults = { ...DEFAULT_FAULTS, ...options.faults };
    this.#random = createSeededRandom(options.seed);
  }

  /** Authorizes (holds) `amount`. Throws {@link ProviderUnavailableError} when the response is "lost". */
  async authorize(request: AuthorizeRequest): Promise<AuthorizeResult> {
    this.#admit();
    await sleep(this.#latency());
    let entry = this.#byRequest.get(request.requestId);
    if (entry === undefined && this.#cancelled.has(request.requestId)) {
      entry = { ...pick(request), status: 'declined' };
      this.#byRequest.set(request.requestId, entry);
    }
    if (this.#inOutage()) {
      // An outage answers nothing; half the new requests are still decided (the late authorizations).
      if (entry === undefined && this.#random.chance(0.5)) this.#decide(request);
      throw new ProviderUnavailableError(`outage: no answer to ${request.requestId}`);
    }
    if (entry === undefined) {
      entry = this.#decide(request);
      // Lose the first lostResponsesPerRequest responses for a request id, so a retry with the same
      // id gets through in the end.
      if (this.#random.chance(this.#faults.lostResponseRate)) {
        this.#toLose.set(request.requestId, this.#faults.lostResponsesPerRequest);
      }
    }
    const toLose = this.#toLose.get(request.requestId) ?? 0;
    if (toLose > 0) {
      this.#toLose.set(request.requestId, toLose - 1);
      throw new ProviderUnavailableError(`response to ${request.requestId} lost after the charge`);
    }
    return resultOf(entry);
  }

  /** Voids an authorization (compensation). Idempotent: voiding twice is fine. */
  async void(authorizationId: string): Promise<{ readonly status: 'voided' }> {
    this.#admit();
    await sleep(this.#latency());
    if (this.#inOutage()) throw new ProviderUnavailableError(`outage: no answer to void ${authorizationId}`);
    for (const [requestId, entry] of this.#byRequest) {
      if (entry.authorizationId === authorizationId) this.#byRequest.set(requestId, { ...entry, status: 'voided' });
    }
    return { status: 'voided' };
  }

  /**
   * Cancels an authorization request by its request id (a "technical cancel" by merchant reference):
   * voids the authorization made under it, or, when the provider has not seen it yet, makes a later
   * authorize with that id decline. Idempotent.
   */
  async cancel(requestId: string): Promise<{ readonly status: 'voided' }> {
    this.#admit();
    await sleep(this.#latency());
    if (this.#inOutage()) throw new ProviderUnavailableError(`outage: no answer to cancel ${requestId}`);
    const entry = this.#byRequest.get(requestId);
    if (entry === undefined) this.#cancelled.add(requestId);
    else if (entry.status === 'authorized') this.#byRequest.set(requestId, { ...entry, status: 'voided' });
    return { status: 'voided' };
  }

  /** Starts an outage: for `durationMs` every call fails as unanswered (some authorizations still land). */
  startOutage(durationMs: number): void {
    this.#outageUntil = Math.max(this.#outageUntil, Date.now() + durationMs);
    this.#outages += 1;
  }

  /** Outages started so far. */
  outages(): number {
    return this.#outages;
  }

  /** Calls that met an outage (unanswered). */
  outageCalls(): number {
    return this.#outageCalls;
  }

  /** Every request id the provider has seen, with its current status. */
  ledger(): readonly LedgerEntry[] {
    return [...this.#byRequest.values()];
  }

  /** Request ids whose first response was lost (the caller saw a timeout although the charge happened). */
  lostResponses(): readonly string[] {
    return [...this.#toLose.keys()];
  }

  /** Calls that got the latency spike so far. */
  latencySpikes(): number {
    return this.#spikes;
  }

  /** Calls refused with 429 so far (a stage configured above the provider's limit). */
  throttled(): number {
    return this.#throttled;
  }

  /** Decides a new request (declined card, or authorized) and records it under its request id. */
  #decide(request: AuthorizeRequest): LedgerEntry {
    const declined = request.paymentToken === DECLINED_TOKEN || this.#random.chance(this.#faults.declineRate);
    this.#sequence += 1;
    const entry: LedgerEntry = declined
      ? { ...pick(request), status: 'declined' }
      : { ...pick(request), status: 'authorized', authorizationId: `auth_${this.#sequence}` };
    this.#byRequest.set(request.requestId, entry);
    return entry;
  }

  /** Counts the call against the rate limit, or refuses it (nothing charged) with {@link ProviderThrottledError}. */
  #admit(): void {
    const now = Date.now();
    while (this.#window.length > 0 && (this.#window[0] ?? now) <= now - 1_000) this.#window.shift();
    if (this.#window.length >= this.#faults.rateLimitPerSecond) {
      this.#throttled += 1;
      throw new ProviderThrottledError(1);
    }
    this.#window.push(now);
  }

  #inOutage(): boolean {
    if (Date.now() >= this.#outageUntil) return false;
    this.#outageCalls += 1;
    return true;
  }

  #latency(): number {
    const spike = this.#random.chance(this.#faults.spikeRate);
    if (spike) this.#spikes += 1;
    return this.#faults.latencyMs + (spike ? this.#faults.spikeMs : 0);
  }
}

function pick(request: AuthorizeRequest) {
  return {
    requestId: request.requestId,
    orderId: request.orderId,
    amount: request.amount,
    currency: request.currency,
  };
}

function resultOf(entry: LedgerEntry): AuthorizeResult {
  if (entry.status === 'declined') return { status: 'declined', reason: 'card_declined' };
  return { status: 'authorized', authorizationId: entry.authorizationId ?? '' };
}
