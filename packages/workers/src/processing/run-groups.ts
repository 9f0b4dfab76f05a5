/**
 * Runs `items` with at most `concurrency` in flight. Items with the same group key run one after
 * another in their original order; once one of a group returns `false`, the rest of that group
 * is not run and gets `onSkip` instead. Groups are independent: a failure never holds up another
 * group. All state lives in this call.
 */
export async function runGroups<T>(
  items: readonly T[],
  concurrency: number,
  groupOf: (item: T, index: number) => string,
  run: (item: T) => Promise<boolean>,
  onSkip: (item: T) => void,
): Promise<void> {
  const groups = new Map<string, T[]>();
  items.forEach((item, index) => {
    const key = groupOf(item, index);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [item]);
    else group.push(item);
  });
  const queue = [...groups.values()];
  let next = 0;
  const worker = async () => {
    while (next < queue.length) {
      const group = queue[next] ?? [];
      next += 1;
      let failed = false;
      for (const item of group) {
        if (failed) onSkip(item);
        else failed = !(await run(item));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, worker));
}
