/** The text and values of a `client.query(text, values)` call, the shape Kysely sends every statement in. */
export interface TextAndValues {
  readonly text: string;
  readonly values: unknown[];
}

/** `args` as a `client.query(text, values)` call; undefined for any other shape (a config object, a callback, ...). */
export function textAndValues(args: readonly unknown[]): TextAndValues | undefined {
  const [text, values] = args;
  return args.length === 2 && typeof text === 'string' && Array.isArray(values) ? { text, values } : undefined;
}
