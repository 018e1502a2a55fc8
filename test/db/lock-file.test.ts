import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { DbLockedError, openDatabaseCount, openDb, type Db } from '../../src/db/index.js';

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  assert.equal(child.status, 0);
  return child.pid;
}

describe('the lock file beside an embedded database directory', () => {
  let root: string;
  let directory: string;
  let lockPath: string;
  let url: string;
  const opened: Db[] = [];
  const open = async () => {
    const db = await openDb(url);
    opened.push(db);
    return db;
  };

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'wayback-lock-'));
    directory = join(root, 'nested', 'db');
    lockPath = `${directory}.lock`;
    url = `pglite:${directory}`;
  });
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.close();
    assert.equal(existsSync(lockPath), false, 'the test left no lock behind');
    rmSync(`${lockPath}.recovering`, { recursive: true, force: true });
  });
  after(() => {
    rmSync(root, { recursive: true, force: true });
    assert.equal(openDatabaseCount(), 0, 'every database handle is closed');
  });

  it('opening takes the lock, naming this process and host; closing removes it', async () => {
    const db = await open();
    assert.deepEqual(
      (({ pid, host }) => ({ pid, host }))(JSON.parse(readFileSync(lockPath, 'utf8')) as { pid: number; host: string }),
      { pid: process.pid, host: hostname() },
    );
    await db.query('create table kept (id int primary key)');
    await db.query('insert into kept values (1)');
    await db.close();
    assert.equal(existsSync(lockPath), false);
    const again = await open();
    assert.deepEqual((await again.query('select id from kept')).rows, [{ id: 1 }], 'what was written is there after reopening');
  });

  it('a second open of the same directory is refused while the first is open, naming the holder', async () => {
    await open();
    await assert.rejects(open(), (error: unknown) => {
      assert.ok(error instanceof DbLockedError);
      assert.equal(error.code, 'db-locked');
      assert.equal(error.pid, process.pid);
      assert.equal(error.host, hostname());
      assert.equal(error.directory, directory);
      assert.match(error.message, new RegExp(`^the embedded database ${directory} is in use by process ${process.pid} on `));
      assert.equal(error.message.includes('\n'), false);
      return true;
    });
    assert.ok(existsSync(lockPath), 'the refused open did not take the holder’s lock away');
  });

  it('closing twice is harmless and does not remove a lock someone else took since', async () => {
    const db = await open();
    await db.close();
    const other = await open();
    await db.close();
    assert.ok(existsSync(lockPath));
    assert.deepEqual((await other.query('select 1 as ok')).rows, [{ ok: 1 }]);
  });

  it('a lock left by a dead process on this host is recovered', async () => {
    mkdirSync(join(root, 'nested'), { recursive: true });
    writeFileSync(lockPath, JSON.stringify({ pid: deadPid(), host: hostname() }));
    await open();
    assert.equal((JSON.parse(readFileSync(lockPath, 'utf8')) as { pid: number }).pid, process.pid);
  });

  it('a lock file that is not JSON is recovered', async () => {
    writeFileSync(lockPath, '');
    await open();
    assert.equal((JSON.parse(readFileSync(lockPath, 'utf8')) as { pid: number }).pid, process.pid);
  });

  it('a recovery abandoned by a dead process does not block forever', async () => {
    writeFileSync(lockPath, JSON.stringify({ pid: deadPid(), host: hostname() }));
    mkdirSync(`${lockPath}.recovering`);
    const longAgo = new Date(Date.now() - 60_000);
    utimesSync(`${lockPath}.recovering`, longAgo, longAgo);
    await open();
    assert.equal(existsSync(`${lockPath}.recovering`), false);
  });

  it('a lock from another host is respected, even with a pid that is dead here', async () => {
    writeFileSync(lockPath, JSON.stringify({ pid: deadPid(), host: 'another-host' }));
    try {
      await assert.rejects(open(), (error: unknown) => error instanceof DbLockedError && error.host === 'another-host');
      assert.match(readFileSync(lockPath, 'utf8'), /another-host/);
    } finally {
      rmSync(lockPath, { force: true });
    }
  });

  it('pglite:memory takes no lock', async () => {
    const a = await openDb('pglite:memory');
    const b = await openDb('pglite:memory');
    try {
      assert.deepEqual((await a.query('select 1 as ok')).rows, [{ ok: 1 }]);
      assert.deepEqual((await b.query('select 1 as ok')).rows, [{ ok: 1 }]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
