import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DbUrlError, defaultDbUrl, parseDbUrl, redactUrl, resolveDbUrl } from '../../src/db/index.js';
import { WaybackError } from '../../src/errors.js';

describe('resolveDbUrl', () => {
  const all = { WAYBACK_DB: 'pglite:from-wayback-db', DATABASE_URL: 'postgres://h/from-database-url' };

  it('takes --db first', () => {
    assert.equal(resolveDbUrl('pglite:from-flag', all), 'pglite:from-flag');
  });

  it('then WAYBACK_DB, then DATABASE_URL', () => {
    assert.equal(resolveDbUrl(undefined, all), 'pglite:from-wayback-db');
    assert.equal(resolveDbUrl(undefined, { DATABASE_URL: all.DATABASE_URL }), 'postgres://h/from-database-url');
  });

  it('else the embedded database pglite:.wayback/db', () => {
    assert.equal(defaultDbUrl, 'pglite:.wayback/db');
    assert.equal(resolveDbUrl(undefined, {}), 'pglite:.wayback/db');
  });

  it('skips blank environment variables, and trims the value it takes', () => {
    assert.equal(resolveDbUrl(undefined, { ...all, WAYBACK_DB: '\t' }), 'postgres://h/from-database-url');
    assert.equal(resolveDbUrl(undefined, { WAYBACK_DB: '', DATABASE_URL: ' ' }), 'pglite:.wayback/db');
    assert.equal(resolveDbUrl('  pglite:memory \n', {}), 'pglite:memory');
  });

  it('refuses a --db given empty (an unset "$VAR") instead of quietly using the default', () => {
    assert.throws(() => resolveDbUrl('', all), DbUrlError);
    assert.throws(() => resolveDbUrl('  ', {}), /not a database URL: "  "/);
  });

  it('reads process.env when no environment is given', () => {
    const saved = { WAYBACK_DB: process.env['WAYBACK_DB'], DATABASE_URL: process.env['DATABASE_URL'] };
    try {
      process.env['WAYBACK_DB'] = 'pglite:from-process-env';
      assert.equal(resolveDbUrl(undefined), 'pglite:from-process-env');
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});

describe('parseDbUrl', () => {
  it('a postgres:// or postgresql:// URL names a server, kept as written', () => {
    assert.deepEqual(parseDbUrl('postgres://app:pw@db.example:6543/crm?sslmode=require'), {
      kind: 'postgres',
      url: 'postgres://app:pw@db.example:6543/crm?sslmode=require',
    });
    assert.deepEqual(parseDbUrl('postgresql://localhost/app'), { kind: 'postgres', url: 'postgresql://localhost/app' });
  });

  it('pglite:memory is an in-memory database', () => {
    assert.deepEqual(parseDbUrl('pglite:memory'), { kind: 'pglite-memory' });
  });

  it('pglite:<dir> is a directory, resolved against the working directory', () => {
    assert.deepEqual(parseDbUrl('pglite:relative/dir', '/srv/app'), { kind: 'pglite-dir', directory: '/srv/app/relative/dir' });
    assert.deepEqual(parseDbUrl('pglite:.wayback/db', '/srv/app'), { kind: 'pglite-dir', directory: '/srv/app/.wayback/db' });
    assert.deepEqual(parseDbUrl('pglite:../up', '/srv/app'), { kind: 'pglite-dir', directory: '/srv/up' });
    assert.deepEqual(parseDbUrl('pglite:/abs/dir', '/srv/app'), { kind: 'pglite-dir', directory: '/abs/dir' });
    assert.deepEqual(parseDbUrl('pglite:data'), { kind: 'pglite-dir', directory: join(process.cwd(), 'data') });
  });

  for (const url of ['mysql://x', '', 'pglite:', 'pglite:   ', 'postgres://[bad/x', 'postgres://h:notaport/x', 'localhost:5432/app']) {
    it(`refuses ${JSON.stringify(url)} with one line saying what is accepted`, () => {
      assert.throws(
        () => parseDbUrl(url),
        (error: unknown) => {
          assert.ok(error instanceof DbUrlError);
          assert.ok(error instanceof WaybackError);
          assert.equal(error.code, 'bad-db-url');
          assert.equal(error.message.includes('\n'), false, 'one line');
          assert.equal(error.message, `not a database URL: "${url}"; use postgres://user@host:port/database, pglite:<directory> or pglite:memory`);
          return true;
        },
      );
    });
  }

  it('never repeats a password in its refusal', () => {
    for (const url of ['postgres://u:s3cret@h:notaport/x', 'mysql://root:s3cret@h/x', 'postgres://u:s3cret@[bad/x']) {
      assert.throws(() => parseDbUrl(url), (error: unknown) => {
        assert.ok(error instanceof DbUrlError);
        assert.doesNotMatch(error.message, /s3cret/);
        assert.doesNotMatch(error.url, /s3cret/);
        assert.match(error.message, /:\*\*\*@/);
        return true;
      });
    }
  });
});

describe('redactUrl', () => {
  it('hides the password and keeps the rest', () => {
    assert.equal(redactUrl('postgres://app:s3cret@db.example:5432/crm'), 'postgres://app:***@db.example:5432/crm');
    assert.equal(redactUrl('postgresql://app:p%40ss%3Aword@db/crm?sslmode=require'), 'postgresql://app:***@db/crm?sslmode=require');
  });

  it('hides a password given as a query parameter', () => {
    const shown = redactUrl('postgres://app@db/crm?sslmode=require&password=s3cret');
    assert.doesNotMatch(shown, /s3cret/);
    assert.match(shown, /password=\*\*\*/);
    assert.match(shown, /sslmode=require/);
  });

  it('leaves URLs without a password as they are', () => {
    for (const url of ['postgres://app@db/crm', 'postgres://db/crm', 'pglite:memory', 'pglite:/var/lib/app']) {
      assert.equal(redactUrl(url), url);
    }
  });

  it('hides the password even in a URL that does not parse', () => {
    assert.equal(redactUrl('postgres://u:s3cret@h:notaport/x'), 'postgres://u:***@h:notaport/x');
    assert.equal(redactUrl('mysql://u:s3cret@h/x'), 'mysql://u:***@h/x');
  });
});
