import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { openDatabaseCount, openDb } from '../../src/db/index.js';
import { backends, type TestDatabase } from '../support/backends.js';
import {
  allSteps,
  expectJsonError,
  expectOneLineError,
  expectSuccess,
  oneJson,
  runCli,
  schemaVersion,
  startCli,
  stepRows,
} from '../support/cli.js';

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  assert.equal(child.status, 0);
  return child.pid;
}

const pglite = backends.find((backend) => backend.name === 'pglite');
assert.ok(pglite !== undefined);

describe('the lock file of an embedded database, seen from the CLI', () => {
  let t: TestDatabase;
  let directory: string;
  let lockPath: string;
  before(async () => {
    t = await pglite.fresh({ onDisk: true });
    directory = t.url.slice('pglite:'.length);
    lockPath = `${directory}.lock`;
    await t.db.query('create table customer (id int primary key, name text)');
  });
  after(async () => {
    await t.drop();
    assert.equal(existsSync(lockPath), false, 'no lock file is left behind');
    assert.equal(openDatabaseCount(), 0, 'every database handle is closed');
  });

  it('while this process holds the database, the CLI exits 1 naming this process', async () => {
    assert.ok(existsSync(lockPath), 'the open database has its lock file beside it');
    for (const args of [['status'], ['track', 'customer']]) {
      expectOneLineError(
        await runCli([...args, '--db', t.url]),
        1,
        new RegExp(`the embedded database ${directory} is in use by process ${process.pid} on ${hostname()}; stop that process first`),
      );
    }
    expectJsonError(await runCli(['status', '--db', t.url, '--json']), 1, 'db-locked', new RegExp(`process ${process.pid}\\b`));
    const { rows } = await t.db.query<{ n: number }>('select count(*)::int as n from wayback.tracked_table');
    assert.deepEqual(rows, [{ n: 0 }], 'the holder still works, and the refused track changed nothing');
    await t.db.close();
  });

  it('after the holder closes, the lock file is gone and the CLI opens the database', async () => {
    assert.equal(existsSync(lockPath), false);
    expectSuccess(await runCli(['track', 'customer', '--db', t.url]));
    assert.equal(existsSync(lockPath), false, 'the CLI released the lock when it exited');
  });

  it('a CLI command that fails still releases the lock', async () => {
    expectOneLineError(await runCli(['show', 'tx:424242', '--db', t.url]), 1, /no change set "tx:424242"/);
    assert.equal(existsSync(lockPath), false);
  });

  it('a lock left by a dead process is recovered', async () => {
    const pid = deadPid();
    writeFileSync(lockPath, JSON.stringify({ pid, host: hostname() }));
    const result = await runCli(['status', '--db', t.url, '--json']);
    expectSuccess(result);
    assert.deepEqual(oneJson<{ tables: { table: string }[] }>(result.stdout).tables.map((table) => table.table), ['public.customer']);
    assert.equal(existsSync(lockPath), false, 'the stale lock is gone, and so is the CLI’s own');
  });

  it('a lock file that is not JSON is treated as stale', async () => {
    writeFileSync(lockPath, 'not a lock');
    expectSuccess(await runCli(['status', '--db', t.url]));
    assert.equal(existsSync(lockPath), false);
  });

  it('a lock taken on another host is respected (it cannot be checked from here)', async () => {
    writeFileSync(lockPath, JSON.stringify({ pid: deadPid(), host: 'some-other-host' }));
    try {
      expectOneLineError(await runCli(['status', '--db', t.url]), 1, /in use by process \d+ on some-other-host/);
      assert.equal(readFileSync(lockPath, 'utf8').includes('some-other-host'), true, 'the other host’s lock is left in place');
    } finally {
      rmSync(lockPath, { force: true });
    }
  });
});

describe('two CLI processes racing for one new embedded database', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'wayback-race-'));
  });
  afterEach(() => {
    assert.equal(existsSync(join(root, 'db.lock')), false, 'no lock file is left behind');
  });
  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('exactly one wins; the other is refused with a clear line naming the winner; the winner’s work is intact', async () => {
    const url = `pglite:${join(root, 'db')}`;
    const racers = [startCli(['init', '--db', url, '--json']), startCli(['init', '--db', url, '--json'])];
    const results = await Promise.all(racers.map((racer) => racer.done));
    const winners = results.flatMap((result, i) => (result.code === 0 ? [i] : []));
    assert.equal(winners.length, 1, `exactly one wins: ${results.map((r) => `exit ${r.code}: ${r.stderr}`).join(' | ')}`);
    const winner = winners[0] ?? 0;
    const loser = 1 - winner;
    const won = results[winner];
    const lost = results[loser];
    assert.ok(won !== undefined && lost !== undefined);
    expectSuccess(won);
    assert.deepEqual(oneJson(won.stdout), { url, applied: allSteps, version: schemaVersion });
    expectJsonError(lost, 1, 'db-locked', new RegExp(`is in use by process ${racers[winner]?.pid} on `));

    const db = await openDb(url);
    try {
      const { rows } = await db.query('select id, name from wayback.schema_step order by id');
      assert.deepEqual(rows, stepRows);
      await db.query('create table after_race (id int primary key)');
    } finally {
      await db.close();
    }
    const again = await runCli(['init', '--db', url, '--json']);
    expectSuccess(again);
    assert.deepEqual(oneJson(again.stdout), { url, applied: [], version: schemaVersion });
    expectSuccess(await runCli(['track', 'after_race', '--db', url]));
    const reopened = await openDb(url);
    try {
      const { rows } = await reopened.query('select table_name from wayback.tracked_table');
      assert.deepEqual(rows, [{ table_name: 'after_race' }]);
    } finally {
      await reopened.close();
    }
  });
});
