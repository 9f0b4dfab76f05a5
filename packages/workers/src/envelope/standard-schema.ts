import { type FieldPathSegment, fieldPath } from '@checkout/core';
import type { StandardSchemaV1 } from '@standard-schema/spec';

/** The first issue of a failed validation: the path (under `prefix`) and its message. */
export interface SchemaIssue {
  readonly field: string;
  readonly message: string;
}

/** Outcome of {@link validateWith}. */
export type SchemaOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issue: SchemaIssue };

/** True when `value` implements Standard Schema v1 (`~standard` with version 1 and `validate`). */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const props: unknown = Reflect.get(value, '~standard');
  return (
    typeof props === 'object' &&
    props !== null &&
    Reflect.get(props, 'version') === 1 &&
    typeof Reflect.get(props, 'validate') === 'function'
  );
}

const segmentOf = (segment: PropertyKey | StandardSchemaV1.PathSegment): FieldPathSegment => {
  const key = typeof segment === 'object' ? segment.key : segment;
  return typeof key === 'symbol' ? String(key) : key;
};

/** Writes a Standard Schema issue path (keys or `{ key }` segments) under `prefix` with core's `fieldPath`. */
export function issueField(prefix: string, path: StandardSchemaV1.Issue['path']): string {
  return fieldPath(prefix, ...(path ?? []).map(segmentOf));
}

/**
 * Validates `value` with any Standard Schema, whether its `validate` answers at once or with a
 * promise. A failure is reported as its first issue, its path written under `prefix`.
 */
export async function validateWith<T>(
  schema: StandardSchemaV1<unknown, T>,
  value: unknown,
  prefix: string,
): Promise<SchemaOutcome<T>> {
  const result = await schema['~standard'].validate(value);
  if (result.issues === undefined) return { ok: true, value: result.value };
  const issue = result.issues[0];
  return {
    ok: false,
    issue: {
      field: issueField(prefix, issue?.path),
      message: typeof issue?.message === 'string' && issue.message.length > 0 ? issue.message : 'invalid value',
    },
  };
}
