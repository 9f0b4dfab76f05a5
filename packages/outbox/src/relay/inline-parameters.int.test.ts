import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboxFixture, type OutboxFixture } from '../test-support/outbox-fixture.js';
import { inlineParameters } from './connections.js';

let f: OutboxFixture;
beforeAll(async () => {
  f = await createOutboxFixture();
});
afterAll(async () => {
  await f.close();
});

const hostile = [
  "it's",
  'back\\slash',
  'both \\\' and "',
  '{braces},commas',
  'NULL',
  '',
  ' spaced ',
  'new\nline\ttab',
  'ünïcödé ✓ 😀',
  '$1 $2',
  "'); DROP TABLE x; --",
];

describe('inlineParameters: a statement with its parameters as literals (for one simple query)', () => {
  it('gives exactly what the parameterized statement gives, for texts, numbers, nulls and arrays', async () => {
    const statement = sql<Record<string, unknown>>`SELECT ${hostile[0]}::text AS a, ${hostile}::text[] AS b,
      ${['1', '22', '9007199254740993']}::bigint[] AS c, ${[]}::bigint[] AS d, ${null}::bigint AS e,
      ${-5}::integer AS f, ${2.5}::numeric AS g, ${true}::boolean AS h, ${['x', null, 'y']}::text[] AS i,
      ${'9223372036854775807'}::bigint AS j, ${hostile[2]}::text AS k, 'lit''eral $3' AS l`;
    const compiled = statement.compile(f.db);
    const inlined = inlineParameters(compiled.sql, compiled.parameters, pg.escapeLiteral);
    expect(inlined).toBeDefined();
    expect(inlined).not.toMatch(/\$[0-9]+::/);
    const client = new pg.Client({ connectionString: f.stack.postgres.url });
    await client.connect();
    try {
      const parameterized = await client.query(compiled.sql, compiled.parameters as unknown[]);
      const simple = await client.query(inlined as string);
      expect(simple.rows).toEqual(parameterized.rows);
      expect(simple.rows[0]).toMatchObject({ a: "it's", b: hostile, d: [], e: null, l: "lit'eral $3" });
    } finally {
      await client.end();
    }
  });

  it('declines (the caller sends parameters) whatever it cannot inline unambiguously', () => {
    const quote = pg.escapeLiteral;
    expect(inlineParameters('SELECT $1::text', [{ a: 1 }], quote)).toBeUndefined();
    expect(inlineParameters('SELECT $1::date', [new Date()], quote)).toBeUndefined();
    expect(inlineParameters('SELECT $1::int[]', [[[1]]], quote)).toBeUndefined();
    expect(inlineParameters('SELECT $1::float8', [Number.NaN], quote)).toBeUndefined();
    expect(inlineParameters('SELECT $2::text', ['only one'], quote)).toBeUndefined();
    expect(inlineParameters('SELECT $q$x$q$, $1::text', ['a'], quote)).toBeUndefined();
    expect(inlineParameters('SELECT $1::text -- note', ['a'], quote)).toBeUndefined();
    expect(inlineParameters('SELECT $1::text; SELECT 1', ['a'], quote)).toBeUndefined();
    expect(inlineParameters("SELECT E'\\n', $1::text", ['a'], quote)).toBeUndefined();
    expect(inlineParameters("SELECT 'open, $1::text", ['a'], quote)).toBeUndefined();
    expect(inlineParameters('SELECT $1::text, $1::text', ['a'], quote)).toBe("SELECT 'a'::text, 'a'::text");
  });
});
