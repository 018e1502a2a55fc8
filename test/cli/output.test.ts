import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { table } from '../../src/cli/output.js';
import { openDatabaseCount } from '../../src/db/index.js';
import { inChangeset, track } from '../../src/journal/index.js';
import { backends, type TestDatabase } from '../support/backends.js';
import { expectFits, expectNoColour, hasColour, oneJson, runCli, runCliOnTty } from '../support/cli.js';

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

/** A progress line as a terminal gets it: "<label>[: stage] <done>/<total> <seconds> s" (the time dim), redrawn in place. */
const progressLine = (label: string) => new RegExp(`\\r\\x1b\\[K${label}(: \\w+)? \\d+/\\d+ (\\x1b\\[2m)?\\d+\\.\\d s`);

/** What a terminal ends up showing, line by line: each progress redraw replaces the one before. */
const asShown = (output: string): string => output.replace(/\r\x1b\[K/g, '\n');

for (const backend of backends) {
  describe(`human output on a terminal on ${backend.name}`, () => {
    let t: TestDatabase;
    let dir: string;
    before(async () => {
      t = await backend.fresh({ onDisk: true });
      dir = mkdtempSync(join(tmpdir(), 'wayback-cli-output-'));
      await t.db.query(`create table "a rather long table name for the status column" (id int primary key, v text)`);
      await track(t.db, ['"a rather long table name for the status column"']);
      await t.db.query(`insert into "a rather long table name for the status column" values (1, 'x')`);
      // Values far wider than a terminal, written by a change set, then one of them again by someone else.
      await t.db.query(`create table wide (id int primary key, note text, tags text[])`);
      await track(t.db, ['wide']);
      await t.db.query(`insert into wide select g, repeat('a note ', 30), array['one', 'two', 'three'] from generate_series(1, 3) g`);
      await inChangeset(t.db, { id: 'job:wide', feature: 'wide' }, (tx) =>
        tx.query(`update wide set note = repeat('rewritten ', 30), tags = array[repeat('t', 60)]`),
      );
      await t.db.query(`update wide set note = 'edited by hand afterwards, ' || repeat('z', 80) where id = 2`);
      // Three schemas of two tables with a key and one without, for track --all: on a terminal, piped, with --json.
      for (const schema of ['tty', 'piped', 'json']) {
        await t.db.query(`create schema ${schema};
                          create table ${schema}.one (id int primary key); create table ${schema}.two (id int primary key);
                          create table ${schema}.nokey (v text)`);
      }
      await t.db.close();
    });
    after(async () => {
      rmSync(dir, { recursive: true, force: true });
      await t.drop();
      assert.equal(openDatabaseCount(), 0, 'every database handle is closed');
    });

    const commands = [['status'], ['changesets'], ['show', 'job:wide'], ['revert', '--changeset', 'job:wide', '--dry-run'], ['init']];
    for (const command of commands) {
      it(`${command.join(' ')} has no colour codes and fits 80 columns`, async () => {
        const result = await runCliOnTty([...command, '--db', t.url], { env: { NO_COLOR: '1' } });
        assert.ok(result.code === 0 || (command[0] === 'revert' && result.code === 3), result.stdout);
        expectNoColour(result.stdout);
        // A database URL is never shortened (status gives it a line of its own); everything else fits.
        expectFits(asShown(result.stdout).replaceAll(t.url, '<url>'));
      });
    }

    it('status and changesets show a long table name', async () => {
      for (const command of ['status', 'changesets']) {
        const result = await runCliOnTty([command, '--db', t.url], { env: { NO_COLOR: '1' } });
        assert.match(result.stdout, /a rather long/);
      }
    });

    it('show shortens wide values with an ellipsis, keeping the shape of each sample', async () => {
      const result = await runCliOnTty(['show', 'job:wide', '--db', t.url], { env: { NO_COLOR: '1' } });
      assert.equal(result.code, 0, result.stdout);
      const samples = result.stdout.split('\r\n').filter((line) => /^ {2}U \[\d\] /.test(line));
      assert.equal(samples.length, 3, result.stdout);
      for (const line of samples) {
        assert.match(line, /^ {2}U \[\d\] note: "a note a note .*…$/);
        assert.equal([...line].length, 80);
      }
    });

    it('track --all counts the tables on a terminal and warns in colour; piped or with --json, no counter and no colour', async () => {
      const coloured = await runCliOnTty(['track', '--all', '--schema', 'tty', '--db', t.url]);
      assert.equal(coloured.code, 0, coloured.stdout);
      assert.match(coloured.stdout, progressLine('tracking'));
      assert.match(coloured.stdout, /\x1b\[33mwarning:\x1b\[39m skipped tty\.nokey: no primary key/, 'the warning is yellow');

      const piped = await runCli(['track', '--all', '--schema', 'piped', '--db', t.url]);
      assert.equal(piped.code, 0, piped.stderr);
      assert.equal(piped.stderr, 'warning: skipped piped.nokey: no primary key (track it alone with --key col,…)\n', 'no counter, no colour');
      expectNoColour(piped.stdout);

      const json = await runCliOnTty(['track', '--all', '--schema', 'json', '--json', '--db', t.url]);
      assert.equal(json.code, 0, json.stdout);
      assert.doesNotMatch(json.stdout, progressLine('tracking'));
      expectNoColour(json.stdout);
    });

    it('apply shows its progress on a terminal and says "reverted" in colour; with NO_COLOR, none', async () => {
      const plan = join(dir, 'plan.json');
      assert.equal((await runCli(['revert', '--changeset', 'job:wide', '--out', plan, '--db', t.url])).code, 0);
      const applied = await runCliOnTty(['apply', plan, '--db', t.url]);
      assert.equal(applied.code, 3, applied.stdout);
      assert.match(applied.stdout, progressLine('applying'));
      assert.match(applied.stdout, /\x1b\[32mreverted\x1b\[39m/);
      const undo = /wayback revert --changeset (revert:\S+)/.exec(applied.stdout)?.[1];
      assert.ok(undo !== undefined, applied.stdout);
      const plain = await runCliOnTty(['revert', '--changeset', undo, '--db', t.url], { env: { NO_COLOR: '1' } });
      assert.equal(plain.code, 0, plain.stdout);
      assert.match(asShown(plain.stdout), /^reverted\r$/m);
      expectNoColour(plain.stdout);
      const json = await runCliOnTty(['revert', '--changeset', 'job:wide', '--json', '--db', t.url]);
      assert.doesNotMatch(json.stdout, progressLine('reverting'));
      const document = oneJson<{ applied: boolean; counts: object }>(json.stdout.replaceAll('\r\n', '\n'));
      assert.equal(typeof document.applied, 'boolean');
    });
  });
}
