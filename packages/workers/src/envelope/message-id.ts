import { randomFillSync } from 'node:crypto';
import { ulid } from 'ulid';

/** Random characters of a ULID (after its 10 time characters); `ulid` asks its generator once for each. */
const RANDOM_CHARACTERS = 16;

/**
 * A new ULID message id: `now` in its time part, 80 random bits from one `randomFillSync` call.
 * `ulid()` without a generator looks for one at every call and then asks `crypto` for one byte per
 * character (16 calls); this takes the 16 bytes at once and keeps nothing between calls. Each byte
 * picks one of the 32 characters (`byte / 256` scaled by 32: 8 byte values per character, uniform).
 */
export function newMessageId(now: number = Date.now()): string {
  const bytes = randomFillSync(new Uint8Array(RANDOM_CHARACTERS));
  let next = 0;
  return ulid(now, () => (bytes[next++ % RANDOM_CHARACTERS] as number) / 256);
}
