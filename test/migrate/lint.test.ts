// lint reads SQL with PostgreSQL's own parser; no database. Each rule: the unsafe form is found on its
// line, the safe form beside it is not.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { KnownSchema, lintFolder, lintSql, ruleIds, type Finding } from '../../src/migrate/lint/index.js';
import { repoRoot } from '../support/env.js';

const fixtures = join(repoRoot, 'test', 'migrate', 'lint-fixtures');

/** `line rule` for each finding, in order: what a reader of the output sees first. */
const places = (findings: readonly Finding[]): string[] => findings.map((f) => `${f.line} ${f.rule}`);

/** Lints `sql` as one file; `before` is SQL of earlier migrations of the folder. */
async function lint(sql: string, before = ''): Promise<string[]> {
  const schema = new KnownSchema();
  if (before !== '') await lintSql(before, 'earlier.up.sql', schema);
  return places(await lintSql(sql, 'm.up.sql', schema));
}

/** The lines lint found `rule` on. */
async function linesOf(rule: string, sql: string, before = ''): Promise<number[]> {
  return (await lint(sql, before)).filter((place) => place.endsWith(` ${rule}`)).map((place) => Number(place.split(' ')[0]));
}

describe('migrate lint rules', () => {
  it('not-null-without-default: ADD COLUMN NOT NULL with no default, not with a constant default or on a new table', async () => {
    const sql = [
      "SET lock_timeout = '5s';",
      'ALTER TABLE orders ADD COLUMN status text NOT NULL;',
      "ALTER TABLE orders ADD COLUMN kind text NOT NULL DEFAULT 'web';",
      'ALTER TABLE orders ADD COLUMN note text DEFAULT NULL NOT NULL;',
      'ALTER TABLE orders ADD COLUMN seq bigint NOT NULL GENERATED ALWAYS AS IDENTITY;',
      'ALTER TABLE orders',
      '  ADD COLUMN a int,',
      '  ADD COLUMN b int PRIMARY KEY;',
      'CREATE TABLE fresh (id int);',
      'ALTER TABLE fresh ADD COLUMN name text NOT NULL;',
    ].join('\n');
    assert.deepEqual(await linesOf('not-null-without-default', sql), [2, 4, 8], 'DEFAULT NULL fills nothing; the clause on its own line');
  });

  it('set-not-null: SET NOT NULL on an existing table, not on a new one', async () => {
    const sql = "SET lock_timeout = '5s';\nALTER TABLE orders ALTER COLUMN status SET NOT NULL;\nCREATE TABLE fresh (a int);\nALTER TABLE fresh ALTER COLUMN a SET NOT NULL;";
    assert.deepEqual(await linesOf('set-not-null', sql), [2]);
  });

  it('rewriting-type-change: a change that rewrites, not one that only widens a type the folder created', async () => {
    const before = 'CREATE TABLE t (name varchar(20), price numeric(10,2), n int, s text, at timestamp(3), net cidr);';
    const sql = [
      "SET lock_timeout = '5s';",
      'ALTER TABLE t ALTER COLUMN name TYPE varchar(50);',
      'ALTER TABLE t ALTER COLUMN name TYPE text;',
      'ALTER TABLE t ALTER COLUMN price TYPE numeric(12,2);',
      'ALTER TABLE t ALTER COLUMN n TYPE bigint;',
      'ALTER TABLE t ALTER COLUMN s TYPE varchar(10);',
      'ALTER TABLE t ALTER COLUMN at TYPE timestamp(6), ALTER COLUMN net TYPE inet;',
      'ALTER TABLE t ALTER COLUMN price TYPE numeric(14,4);',
      'ALTER TABLE t ALTER COLUMN name TYPE text USING lower(name);',
      'ALTER TABLE elsewhere ALTER COLUMN c TYPE text;',
    ].join('\n');
    assert.deepEqual(await linesOf('rewriting-type-change', sql, before), [5, 6, 8, 9, 10], 'int→bigint, text→varchar(10), a new scale, a USING, an unknown type');
    const [unknown] = (await lintSql(sql, 'm.up.sql')).filter((f) => f.line === 10);
    assert.match(unknown?.message ?? '', /cannot see its current type/);
  });

  it('drop-column: on an existing table, not on one the file created', async () => {
    const sql = "SET lock_timeout = '5s';\nALTER TABLE customer DROP COLUMN legacy;\nCREATE TABLE fresh (a int, b int);\nALTER TABLE fresh DROP COLUMN b;";
    assert.deepEqual(await linesOf('drop-column', sql), [2]);
  });

  it('drop-table: of an existing table, not of one the file created', async () => {
    const sql = "SET lock_timeout = '5s';\nCREATE TABLE scratch (a int);\nDROP TABLE scratch;\n\nDROP TABLE audit_2019, scratch2;";
    assert.deepEqual(await linesOf('drop-table', sql), [5, 5], 'each existing table of the DROP');
  });

  it('index-without-concurrently: CREATE/DROP INDEX and ADD UNIQUE without CONCURRENTLY on existing tables', async () => {
    const sql = [
      "SET lock_timeout = '5s';",
      'CREATE INDEX orders_placed ON orders (placed_at);',
      'CREATE INDEX CONCURRENTLY orders_status ON orders (status);',
      'CREATE TABLE fresh (a int);',
      'CREATE INDEX fresh_a ON fresh (a);',
      'DROP INDEX orders_old;',
      'DROP INDEX CONCURRENTLY orders_older;',
      'DROP INDEX fresh_a;',
      'ALTER TABLE orders ADD CONSTRAINT orders_ref UNIQUE (ref);',
      'ALTER TABLE orders ADD CONSTRAINT orders_ref2 UNIQUE USING INDEX orders_ref2_idx;',
    ].join('\n');
    assert.deepEqual(await linesOf('index-without-concurrently', sql), [2, 6, 9]);
  });

  it('missing-lock-timeout: once per file, at the first statement that locks an existing table before any SET lock_timeout', async () => {
    const sql = 'CREATE TABLE fresh (a int);\nCREATE INDEX ON fresh (a);\nALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders ADD COLUMN more text;';
    assert.deepEqual(await linesOf('missing-lock-timeout', sql), [3]);
    assert.deepEqual(await linesOf('missing-lock-timeout', `SET LOCAL lock_timeout TO '2s';\n${sql}`), []);
    assert.deepEqual(await linesOf('missing-lock-timeout', `SET lock_timeout = 0;\n${sql}`), [4], 'a timeout of 0 is none');
    assert.deepEqual(await linesOf('missing-lock-timeout', `${sql}\nSET lock_timeout = '2s';`), [3], 'set too late');
    assert.deepEqual(await linesOf('missing-lock-timeout', 'CREATE TABLE lines (order_id int REFERENCES orders (id));'), [1], "a new table's foreign key locks the table it references");
    assert.deepEqual(await linesOf('missing-lock-timeout', 'CREATE INDEX CONCURRENTLY i ON orders (a);\nINSERT INTO orders VALUES (1);'), []);
  });

  it('rename: of a column or table that existed before the file, not of a new table or an index', async () => {
    const sql = [
      "SET lock_timeout = '5s';",
      'ALTER TABLE customer RENAME COLUMN email TO email_address;',
      'ALTER TABLE customer RENAME TO client;',
      'CREATE TABLE fresh (a int);',
      'ALTER TABLE fresh RENAME COLUMN a TO b;',
      'ALTER TABLE fresh RENAME TO fresher;',
      'ALTER INDEX customer_email_key RENAME TO client_email_key;',
    ].join('\n');
    assert.deepEqual(await linesOf('rename', sql), [2, 3]);
  });

  it('enum-value-removal: RENAME VALUE, an enum recreated without its values, a column moved to an enum with fewer', async () => {
    const before = "CREATE TYPE mood AS ENUM ('happy', 'sad', 'meh');\nCREATE TABLE person (id int, m mood);";
    const recreated = "ALTER TYPE mood RENAME TO mood_old;\nCREATE TYPE mood AS ENUM ('happy', 'sad');";
    assert.deepEqual(await linesOf('enum-value-removal', recreated, before), [2]);
    const [finding] = (await lintSql(recreated, 'm.up.sql', await schemaAfter(before))).filter((f) => f.rule === 'enum-value-removal');
    assert.match(finding?.message ?? '', /without 'meh'/);
    assert.deepEqual(await linesOf('enum-value-removal', "ALTER TYPE mood RENAME TO mood_old;\nCREATE TYPE mood AS ENUM ('happy', 'sad', 'meh', 'new');", before), [], 'every old value kept');
    assert.deepEqual(await linesOf('enum-value-removal', "DROP TYPE status;\nCREATE TYPE status AS ENUM ('a');"), [2], 'old values unknown');
    assert.deepEqual(await linesOf('enum-value-removal', "ALTER TYPE mood RENAME VALUE 'meh' TO 'so-so';\nALTER TYPE mood ADD VALUE 'glad';", before), [1]);
    const moved = "SET lock_timeout = '5s';\nCREATE TYPE mood2 AS ENUM ('happy', 'sad');\nALTER TABLE person ALTER COLUMN m TYPE mood2 USING m::text::mood2;";
    assert.deepEqual(await linesOf('enum-value-removal', moved, before), [3]);
    assert.deepEqual(await linesOf('enum-value-removal', "DELETE FROM pg_enum WHERE enumlabel = 'meh';"), [1]);
    assert.deepEqual(await linesOf('enum-value-removal', "CREATE TYPE fresh AS ENUM ('a', 'b');\nALTER TYPE fresh RENAME VALUE 'a' TO 'c';"), [], 'a new enum');
  });

  it('constraint-without-not-valid: FOREIGN KEY or CHECK on an existing table, not NOT VALID, not on a new table', async () => {
    const sql = [
      "SET lock_timeout = '5s';",
      'ALTER TABLE orders ADD CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customer (id);',
      'ALTER TABLE orders ADD CONSTRAINT orders_customer2 FOREIGN KEY (customer_id) REFERENCES customer (id) NOT VALID;',
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_customer2;',
      'ALTER TABLE orders',
      '  ADD CONSTRAINT total_positive CHECK (total > 0);',
      'CREATE TABLE fresh (a int);',
      'ALTER TABLE fresh ADD CONSTRAINT a_positive CHECK (a > 0);',
    ].join('\n');
    assert.deepEqual(await linesOf('constraint-without-not-valid', sql), [2, 6]);
  });

  it('every rule has a test above', () => {
    assert.deepEqual([...ruleIds].sort(), [
      'constraint-without-not-valid',
      'drop-column',
      'drop-table',
      'enum-value-removal',
      'index-without-concurrently',
      'missing-lock-timeout',
      'not-null-without-default',
      'rename',
      'rewriting-type-change',
      'set-not-null',
    ]);
  });

  it('each finding carries the file, why it hurts and the safe pattern', async () => {
    const [finding] = await lintSql("SET lock_timeout = '1s';\nALTER TABLE customer DROP COLUMN legacy;", 'db/0007_drop.up.sql');
    assert.deepEqual(Object.keys(finding ?? {}), ['file', 'line', 'rule', 'message', 'fix']);
    assert.equal(finding?.file, 'db/0007_drop.up.sql');
    assert.match(finding?.message ?? '', /customer\.legacy/);
    assert.match(finding?.fix ?? '', /later migration/);
  });
});

describe('migrate lint allow comments', () => {
  const unsafe = "SET lock_timeout = '5s';\nALTER TABLE customer DROP COLUMN legacy;";

  it('on the line before the statement, or on its line, allow that rule for that statement only', async () => {
    const lines = [
      "SET lock_timeout = '5s';",
      '-- wayback:allow drop-column  nothing reads it since v3',
      'ALTER TABLE customer DROP COLUMN legacy;',
      'ALTER TABLE customer DROP COLUMN older; -- wayback:allow drop-column',
      'ALTER TABLE customer DROP COLUMN oldest;',
      '/* wayback:allow drop-column */ ALTER TABLE customer',
      '  DROP COLUMN ancient;',
    ];
    assert.deepEqual(await lint(lines.join('\n')), ['5 drop-column']);
  });

  it('allows only the rules it names, and several at once', async () => {
    const sql = [
      "SET lock_timeout = '5s';",
      '-- wayback:allow rename',
      'ALTER TABLE customer DROP COLUMN legacy;',
      '-- wayback:allow drop-column,rename',
      'ALTER TABLE orders DROP COLUMN note;',
      '/* wayback:allow rename, drop-column because the release before stopped using them*/',
      'ALTER TABLE orders RENAME COLUMN other TO another;',
    ].join('\n');
    assert.deepEqual(await lint(sql), ['3 drop-column']);
  });

  it('a blank line between the comment and the statement ends its reach', async () => {
    assert.deepEqual(await lint("SET lock_timeout = '5s';\n-- wayback:allow drop-column\n\nALTER TABLE customer DROP COLUMN legacy;"), ['4 drop-column']);
  });

  it('at the top of the file, for the whole file', async () => {
    const sql = `-- Retire the legacy columns.\n-- wayback:allow drop-column,missing-lock-timeout\n${unsafe.split('\n')[1] ?? ''}\nALTER TABLE orders DROP COLUMN note;`;
    assert.deepEqual(await lint(sql), []);
  });

  it('an allow naming no rule is itself a finding, on its line', async () => {
    const findings = await lintSql(`${unsafe}\n-- wayback:allow drop-colum\nALTER TABLE orders DROP COLUMN note;`, 'm.up.sql');
    assert.deepEqual(places(findings), ['2 drop-column', '3 unknown-rule', '4 drop-column']);
    assert.match(findings[1]?.message ?? '', /"drop-colum", which is no lint rule/);
    assert.match(findings[1]?.fix ?? '', /drop-column/);
  });
});

describe('migrate lint parse errors', () => {
  it('a file PostgreSQL cannot parse is one finding naming the file and line, not a crash', async () => {
    const findings = await lintSql("SET lock_timeout = '5s';\n\nALTER TABLE orders DROP COLUMN note\nALTER TABLE orders ADD COLUMN other text;", 'm.up.sql');
    assert.deepEqual(places(findings), ['4 parse-error']);
    assert.match(findings[0]?.message ?? '', /^PostgreSQL cannot parse m\.up\.sql: syntax error at or near "ALTER"/);
    const atEnd = await lintSql("SELECT 'é';\n\nSELECT (", 'm.up.sql');
    assert.deepEqual(places(atEnd), ['3 parse-error'], 'a line counted in characters, past a multi-byte one');
  });

  it('lines count bytes right past multi-byte characters', async () => {
    const sql = "-- café ☕ naïve\nSET lock_timeout = '5s';\nCOMMENT ON TABLE t IS 'ünïcödé\n😀';\nALTER TABLE customer DROP COLUMN legacy;";
    assert.deepEqual(await lint(sql), ['5 drop-column']);
  });
});

describe('migrate lint folders', () => {
  it('a realistic folder: findings in the order the migrations apply, judged against what earlier ones created', async () => {
    const report = await lintFolder(join(fixtures, 'realistic'));
    assert.deepEqual(report.migrations, ['0001_create_customers', '0002_create_orders', '0003_order_status', '0004_cleanup']);
    assert.equal(report.ok, false);
    const name = (f: Finding) => `${f.file.slice(fixtures.length + 1)}:${f.line} ${f.rule}`;
    assert.deepEqual(report.findings.map(name), [
      'realistic/0003_order_status.up.sql:4 not-null-without-default',
      'realistic/0003_order_status.up.sql:11 constraint-without-not-valid',
      'realistic/0004_cleanup.up.sql:2 missing-lock-timeout',
      'realistic/0004_cleanup.up.sql:3 rename',
      'realistic/0004_cleanup.up.sql:5 index-without-concurrently',
      'realistic/0004_cleanup.up.sql:9 enum-value-removal',
    ]);
    assert.match(report.findings.at(-1)?.message ?? '', /without 'enterprise'/);
  });

  it('a file that does not parse is a finding; the files after it are still linted', async () => {
    const report = await lintFolder(join(fixtures, 'broken'));
    assert.deepEqual(report.findings.map((f) => `${f.file.slice(fixtures.length + 1)}:${f.line} ${f.rule}`), [
      'broken/0001_ok.up.sql:2 drop-table',
      'broken/0002_typo.up.sql:5 parse-error',
      'broken/0003_after.up.sql:2 rename',
    ]);
  });

  it('a folder that is not there is an error saying what to pass', async () => {
    await assert.rejects(lintFolder(join(fixtures, 'nope')), { code: 'migration-folder-invalid', message: /nope: no such folder; point --dir/ });
  });
});

async function schemaAfter(sql: string): Promise<KnownSchema> {
  const schema = new KnownSchema();
  await lintSql(sql, 'earlier.up.sql', schema);
  return schema;
}
