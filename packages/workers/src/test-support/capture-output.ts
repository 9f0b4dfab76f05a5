// Test-only: captures what Powertools' Logger and Metrics write (they write to process.stdout /
// process.stderr through their own Console, not through the global console).

/** Captures stdout and stderr lines until `restore()`; `json()` parses the JSON ones. */
export function captureOutput() {
  const lines: string[] = [];
  const originals = { stdout: process.stdout.write, stderr: process.stderr.write };
  const capture =
    (stream: NodeJS.WriteStream) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      lines.push(
        ...String(chunk)
          .split('\n')
          .filter((line) => line.length > 0),
      );
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      callback?.();
      void stream;
      return true;
    };
  process.stdout.write = capture(process.stdout) as typeof process.stdout.write;
  process.stderr.write = capture(process.stderr) as typeof process.stderr.write;
  return {
    lines,
    json(): Array<Record<string, unknown>> {
      return lines.flatMap((line) => {
        try {
          const parsed = JSON.parse(line) as unknown;
          return typeof parsed === 'object' && parsed !== null ? [parsed as Record<string, unknown>] : [];
        } catch {
          return [];
        }
      });
    },
    restore() {
      process.stdout.write = originals.stdout;
      process.stderr.write = originals.stderr;
    },
  };
}
