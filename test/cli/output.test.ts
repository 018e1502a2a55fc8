import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { table } from '../../src/cli/output.js';
import { openDatabaseCount } from '../../src/db/index.js';
import { track } from '../../src/journal/index.js';
import { backends, type TestDatabase } from '../support/backends.js';
import { expectFits, expectNoColour, hasColour, runCliOnTty } from '../support/cli.js';

describe('table layout', () => {
  it('fits 80 columns by shortening the widest column with an ellipsis', () => {
    const rows = [
      ['job:mapping:2026-11-20T17:00:00.000Z-a1b2c3', 'nightly-mapper-with-a-long-name', 'x'.repeat(60)],
      ['tx:1', '-', 'short'],
    ];
    const lines = table(['CHANGESET', 'APP', 'ROWS'], rows);
    assert.equal(lines.length, 3);
    for (const line of lines) assert.ok([...line].length <= 80, line);
    assert.ok(lines[1]?.includes('…'), 'the long row is shortened');
    assert.match(lines[2] ?? '', /^tx:1\s+-\s+short$/, 'short cells are whole, and no line ends in spaces');
  });

  it('leaves rows that fit alone, aligned in columns', () => {
    assert.deepEqual(table(['A', 'BB'], [['xyz', '1'], ['x', '22']]), ['A    BB', 'xyz  1', 'x    22']);
  });

  it('fits any width asked for', () => {
    const lines = table(['TABLE', 'KEY'], [['public.' + 'a'.repeat(100), 'id']], { width: 40 });
    assert.ok(lines.every((line) => [...line].length <= 40), lines.join('\n'));
  });

  it('never shortens a column the user copies into the next command', () => {
    const id = `job:mapping:${'x'.repeat(30)}`;
    const lines = table(['ID', 'NOTE'], [[id, 'n'.repeat(100)]], { width: 60, whole: [0] });
    assert.ok(lines[1]?.startsWith(`${id}  `), lines.join('\n'));
    assert.ok(lines.every((line) => [...line].length <= 60), lines.join('\n'));
  });
});

describe('colour on a terminal', () => {
  it('an error is red on a terminal, and plain with NO_COLOR', async () => {
    const coloured = await runCliOnTty(['status', '--db', 'mysql://x']);
    assert.equal(coloured.code, 1);
    assert.ok(hasColour(coloured.stdout), `expected colour on a terminal: ${JSON.stringify(coloured.stdout)}`);
    const plain = await runCliOnTty(['status', '--db', 'mysql://x'], { env: { NO_COLOR: '1' } });
    assert.equal(plain.code, 1);
    expectNoColour(plain.stdout);
    assert.match(plain.stdout, /^error: not a database URL/);
  });
});

for (const backend of backends) {
  describe(`human output on a terminal with NO_COLOR on ${backend.name}`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await backend.fresh({ onDisk: true });
      await t.db.query(`create table "a rather long table name for the status column" (id int primary key, v text)`);
      await track(t.db, ['"a rather long table name for the status column"']);
      await t.db.query(`insert into "a rather long table name for the status column" values (1, 'x')`);
      await t.db.close();
    });
    after(async () => {
      await t.drop();
      assert.equal(openDatabaseCount(), 0, 'every database handle is closed');
    });

    for (const command of ['status', 'changesets']) {
      it(`${command} has no colour codes and fits 80 columns`, async () => {
        const result = await runCliOnTty([command, '--db', t.url], { env: { NO_COLOR: '1' } });
        assert.equal(result.code, 0, result.stdout);
        assert.match(result.stdout, /a rather long/);
        expectNoColour(result.stdout);
        expectFits(result.stdout);
      });
    }
  });
}
