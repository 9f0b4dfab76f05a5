/**
 * Turns a result into the string a store keeps and back. Plug one in to encrypt or redact
 * (results may hold personal data); the default is JSON.
 */
export interface IdempotencySerializer<T> {
  serialize(value: T): string;
  deserialize(text: string): T;
}

/** The data kept for an error declared a business result by `rememberErrors`. */
export interface RememberedError {
  readonly name: string;
  readonly message: string;
  /** The error's own enumerable properties (e.g. `code`, `declineCode`), JSON-serializable ones only. */
  readonly properties: Readonly<Record<string, unknown>>;
}

/** The default result serializer: `JSON.stringify` / `JSON.parse` (`undefined` is kept as `null`). */
export function jsonSerializer<T>(): IdempotencySerializer<T> {
  return {
    serialize: (value) => JSON.stringify(value) ?? 'null',
    deserialize: (text) => JSON.parse(text) as T,
  };
}

/** Captures name, message and own enumerable properties of a thrown value. */
export function rememberError(error: unknown): RememberedError {
  if (!(error instanceof Error)) {
    const json = jsonOrUndefined(error);
    return { name: 'Error', message: String(error), properties: json === undefined ? {} : { value: JSON.parse(json) } };
  }
  const properties: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(error)) {
    if (name === 'name' || name === 'message' || name === 'stack' || name === 'cause') continue;
    const json = jsonOrUndefined(value);
    if (json !== undefined) properties[name] = JSON.parse(json);
  }
  return { name: error.name, message: error.message, properties };
}

/** The default `reviveError`: an `Error` with the remembered name, message and properties. */
export function reviveRememberedError(remembered: RememberedError): Error {
  const error = new Error(remembered.message);
  Object.assign(error, remembered.properties);
  error.name = remembered.name;
  return error;
}

// Properties without a JSON form (bigint, cycles, functions) are left out rather than failing.
function jsonOrUndefined(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}
