/** A claimed row as the scheduler sees it. */
export interface ScheduledRow {
  readonly id: string;
  readonly group_key: string | null;
  readonly ready: boolean;
  readonly fenced: boolean;
}

/**
 * Hands out claimed rows so that a group's next row is offered only after its previous one was
 * accepted, and a group stops at its first failure. Each `next()` is one "wave": at most one row per
 * group (ungrouped rows all go in the first wave), so no publish call ever holds two rows of one
 * group and a partial batch failure cannot let row k+1 of a group through when row k failed.
 */
export class GroupCursor<Row extends ScheduledRow> {
  readonly #queues = new Map<string, Row[]>();
  #solo: Row[] = [];

  /**
   * `rows` must be in publish order. A group is cut at its first row that is backing off or not yet
   * below the visibility fence: its later rows wait for it.
   */
  constructor(rows: readonly Row[]) {
    const stopped = new Set<string>();
    for (const row of rows) {
      const publishable = row.ready && row.fenced;
      if (row.group_key === null) {
        if (publishable) this.#solo.push(row);
        continue;
      }
      if (stopped.has(row.group_key)) continue;
      if (!publishable) {
        stopped.add(row.group_key);
        continue;
      }
      const queue = this.#queues.get(row.group_key);
      if (queue === undefined) this.#queues.set(row.group_key, [row]);
      else queue.push(row);
    }
  }

  /** The next wave (empty when done). Call {@link settle} with its outcome before the next `next()`. */
  next(): Row[] {
    const wave = this.#solo;
    this.#solo = [];
    for (const queue of this.#queues.values()) {
      const head = queue[0];
      if (head !== undefined) wave.push(head);
    }
    return wave;
  }

  /** Records a wave's outcome: accepted rows advance their group, a failed row ends its group for this round. */
  settle(row: Row, ok: boolean): void {
    if (row.group_key === null) return;
    const queue = this.#queues.get(row.group_key);
    if (queue === undefined || queue[0] !== row) return;
    if (ok) queue.shift();
    if (!ok || queue.length === 0) this.#queues.delete(row.group_key);
  }
}
