import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serverDatabaseUrl, serverUrl } from '../support/env.js';
import { allSteps, expectJsonError, expectOneLineError, expectSuccess, oneJson, runCli, schemaVersion } from '../support/cli.js';

// Each case runs the command that needs the database least (status) and one that would write (track):
// both must fail the same way, before touching anything.
const commands = [['status'], ['track', 'customer']];

describe('wayback connection errors', () => {
  it('an unreachable server: connection refused, one line, exit 1', async () => {
    const url = 'postgres://postgres@127.0.0.1:1/x';
    for (const args of commands) {
      expectOneLineError(
        await runCli([...args, '--db', url]),
        1,
        /^error: cannot reach PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/x \(connection refused\); is the server running/,
      );
    }
    expectJsonError(await runCli(['status', '--db', url, '--json']), 1, 'db-unreachable', /connection refused/);
  });

  it('an unknown host: host not found, one line, exit 1', async () => {
    const url = 'postgres://postgres@no-such-host.invalid:5432/x';
    for (const args of commands) {
      expectOneLineError(await runCli([...args, '--db', url]), 1, /cannot reach PostgreSQL at .*no-such-host\.invalid.* \(host not found\)/);
    }
    expectJsonError(await runCli(['status', '--db', url, '--json']), 1, 'db-unreachable', /host not found/);
  });

  it('a password in the URL is never printed', async () => {
    for (const url of ['postgres://postgres:s3cret-pw@127.0.0.1:1/x', 'postgres://postgres:s3cret-pw@127.0.0.1:notaport/x', 'mysql://root:s3cret-pw@db/x']) {
      const result = await runCli(['status', '--db', url, '--json']);
      assert.equal(result.code, 1);
      assert.doesNotMatch(result.stderr + result.stdout, /s3cret-pw/);
      assert.match(result.stderr, /\*\*\*/, 'the password is shown as ***');
    }
  });

  it('malformed URLs: one line naming the URL and the accepted forms, exit 1', async () => {
    for (const url of ['mysql://x', 'pglite:', 'postgres://[bad/x', 'localhost:5432/app']) {
      const message = expectOneLineError(await runCli(['status', '--db', url]), 1, /^error: not a database URL: /);
      assert.ok(message.includes(`"${url}"`), message);
      assert.match(message, /postgres:\/\/user@host:port\/database, pglite:<directory> or pglite:memory/);
    }
    expectJsonError(await runCli(['status', '--db', 'mysql://x', '--json']), 1, 'bad-db-url', /mysql:\/\/x/);
  });

  if (serverUrl !== undefined) {
    it('a database missing on the server: names it and suggests createdb, exit 1', async () => {
      const url = serverDatabaseUrl('wayback_no_such_db');
      for (const args of [...commands, ['init']]) {
        const message = expectOneLineError(await runCli([...args, '--db', url]), 1, /database "wayback_no_such_db" does not exist/);
        assert.match(message, /createdb wayback_no_such_db/);
      }
      expectJsonError(await runCli(['init', '--db', url, '--json']), 1, 'database-missing', /createdb wayback_no_such_db/);
    });
  }
});

describe('which database the CLI opens', () => {
  let cwd: string;
  before(() => {
    cwd = mkdtempSync(join(tmpdir(), 'wayback-cli-url-'));
  });
  after(() => {
    rmSync(cwd, { recursive: true, force: true });
  });

  const bad = (name: string) => `mysql://${name}`;

  it('--db wins over WAYBACK_DB and DATABASE_URL', async () => {
    const result = await runCli(['status', '--db', bad('from-flag')], { cwd, env: { WAYBACK_DB: bad('from-wayback-db'), DATABASE_URL: bad('from-database-url') } });
    expectOneLineError(result, 1, /"mysql:\/\/from-flag"/);
  });

  it('then WAYBACK_DB, then DATABASE_URL; blank variables are skipped, a blank --db is refused', async () => {
    const env = { WAYBACK_DB: bad('from-wayback-db'), DATABASE_URL: bad('from-database-url') };
    expectOneLineError(await runCli(['status'], { cwd, env }), 1, /"mysql:\/\/from-wayback-db"/);
    expectOneLineError(await runCli(['status', '--db', ' '], { cwd, env }), 1, /not a database URL: " "/);
    expectOneLineError(await runCli(['status'], { cwd, env: { ...env, WAYBACK_DB: '  ' } }), 1, /"mysql:\/\/from-database-url"/);
  });

  it('else the embedded database .wayback/db under the working directory', async () => {
    const result = await runCli(['init', '--json'], { cwd, env: { WAYBACK_DB: '', DATABASE_URL: '' } });
    expectSuccess(result);
    assert.deepEqual(oneJson(result.stdout), { url: `pglite:${join(cwd, '.wayback', 'db')}`, applied: allSteps, version: schemaVersion });
    assert.ok(existsSync(join(cwd, '.wayback', 'db', 'PG_VERSION')), 'the data directory is there');
    assert.ok(!existsSync(join(cwd, '.wayback', 'db.lock')), 'and its lock is released');
  });
});
