import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openDatabaseCount, quoteIdent, quoteQualified } from '../../src/db/index.js';
import { backends, type TestDatabase } from '../support/backends.js';

describe('quoteIdent', () => {
  it('always quotes, so case and keywords survive', () => {
    assert.equal(quoteIdent('customer'), '"customer"');
    assert.equal(quoteIdent('Customer'), '"Customer"');
    assert.equal(quoteIdent('select'), '"select"');
  });

  it('doubles embedded quotes', () => {
    assert.equal(quoteIdent('a"b'), '"a""b"');
    assert.equal(quoteIdent('"'), '""""');
    assert.equal(quoteIdent('""x""'), '"""""x"""""');
  });

  it('keeps non-ASCII, spaces and dots as they are', () => {
    assert.equal(quoteIdent('Café ☕ 表'), '"Café ☕ 表"');
    assert.equal(quoteIdent(' a.b '), '" a.b "');
  });

  it('refuses an empty name and a NUL character', () => {
    assert.throws(() => quoteIdent(''), TypeError);
    assert.throws(() => quoteIdent('a\0b'), TypeError);
    assert.throws(() => quoteQualified('', 'x'), TypeError);
  });

  it('quoteQualified quotes each part', () => {
    assert.equal(quoteQualified('crm', 'Odd "name"'), '"crm"."Odd ""name"""');
  });
});

// The names a user may really have: each must reach PostgreSQL as exactly itself.
const names = ['we"ird "name"', 'Ünïcødé 表 ☕', '  spaced out  ', 'MixedCase', 'select', 'dotted.name', "it's", '"'];

for (const backend of backends) {
  describe(`quoted identifiers round-trip on ${backend.name}`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await backend.fresh();
    });
    after(async () => {
      await t.drop();
      assert.equal(openDatabaseCount(), 0, 'every database handle is closed');
    });

    it('a schema, table and column named with quotes, spaces and unicode are created, written and read back', async () => {
      const { db } = t;
      const schema = 'Schéma "x"';
      await db.query(`create schema ${quoteIdent(schema)}`);
      for (const [i, name] of names.entries()) {
        const column = `${name} col`;
        await db.query(`create table ${quoteQualified(schema, name)} (id int primary key, ${quoteIdent(column)} text)`);
        await db.query(`insert into ${quoteQualified(schema, name)} values ($1, $2)`, [i, name]);
        const { rows } = await db.query(`select ${quoteIdent(column)} as v from ${quoteQualified(schema, name)}`);
        assert.deepEqual(rows, [{ v: name }]);
      }
      const { rows } = await db.query<{ relname: string; attname: string }>(
        `select c.relname, a.attname
           from pg_class c join pg_namespace n on n.oid = c.relnamespace
           join pg_attribute a on a.attrelid = c.oid and a.attnum = 2
          where n.nspname = $1 and c.relkind = 'r'
          order by c.relname collate "C"`,
        [schema],
      );
      const expected = [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      assert.deepEqual(rows, expected.map((name) => ({ relname: name, attname: `${name} col` })));
    });
  });
}
