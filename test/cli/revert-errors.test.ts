// Every bad input to `wayback revert` and `wayback apply`: one line on stderr saying what is wrong and
// what to do, the same message in the --json error document, exit 2 for a bad command line and 1 for a
// request that cannot be carried out, and the database exactly as before (every table's rows and the
// journal's statement count). test/cli/revert.test.ts has the first refusals (no selector at all, two
// selectors, --since with a change set, an unknown change set); these are the rest.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openDatabaseCount, redactUrl, type Db } from '../../src/db/index.js';
import { inChangeset, track } from '../../src/journal/index.js';
import { planRevert, writePlanFile } from '../../src/revert/index.js';
import { backends, type TestDatabase } from '../support/backends.js';
import { expectOneLineError, inspect, oneJson, runCli } from '../support/cli.js';

interface Snapshot {
  readonly tables: Record<string, string[]>;
  readonly statements: number;
}

/** Every table of the public schema, row by row, and how many statements the journal holds. */
async function snapshot(db: Db): Promise<Snapshot> {
  const { rows: names } = await db.query<{ name: string }>(
    `select format('%I.%I', schemaname, tablename) as name from pg_tables where schemaname = 'public' order by 1`,
  );
  const tables: Record<string, string[]> = {};
  for (const { name } of names) {
    tables[name] = (await db.query<{ r: string }>(`select t::text as r from ${name} t order by 1`)).rows.map((row) => row.r);
  }
  const { rows } = await db.query<{ n: string }>('select count(*) as n from wayback.statement');
  return { tables, statements: Number(rows[0]?.n) };
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

for (const backend of backends) {
  describe(`wayback revert and apply refusals on ${backend.name}`, () => {
    let t: TestDatabase;
    let dir: string;
    let job: string;
    let plans: { good: string; transfer: string; scratch: string };
    let untouched: Snapshot;

    before(async () => {
      t = await backend.fresh({ onDisk: true });
      dir = mkdtempSync(join(tmpdir(), 'wayback-cli-revert-errors-'));
      const { db } = t;
      await db.query(`create table account (id int primary key, owner text, balance int);
                      create table ledger (id int primary key, amount int);
                      create table archive (id int primary key, note text);
                      create table scratch (id int primary key, note text);
                      create table notes (id int primary key, body text)`);
      await track(db, ['account', 'ledger', 'archive', 'scratch']);
      await db.query(`insert into account values (1, 'ann', 10), (2, 'bob', 20), (3, 'cy', 30);
                      insert into ledger values (1, 100); insert into archive values (1, 'kept'); insert into scratch values (1, 'tmp')`);
      job = await inChangeset(db, { kind: 'job', feature: 'payout' }, async (tx, c) => {
        await tx.query('update account set balance = 0');
        return c.id;
      });
      const transfer = await inChangeset(db, { kind: 'job', feature: 'transfer' }, async (tx, c) => {
        await tx.query('update ledger set amount = -1');
        await tx.query(`update archive set note = 'moved'`);
        return c.id;
      });
      const cleanup = await inChangeset(db, { kind: 'job', feature: 'cleanup' }, async (tx, c) => {
        await tx.query(`update scratch set note = 'gone'`);
        return c.id;
      });
      await db.query('update account set balance = 99 where id = 3');
      plans = { good: join(dir, 'good.json'), transfer: join(dir, 'transfer.json'), scratch: join(dir, 'scratch.json') };
      writePlanFile(plans.good, await planRevert(db, { changesets: [job] }));
      writePlanFile(plans.transfer, await planRevert(db, { changesets: [transfer] }));
      writePlanFile(plans.scratch, await planRevert(db, { changesets: [cleanup] }));
      untouched = await snapshot(db);
      await db.close();
    });
    after(async () => {
      rmSync(dir, { recursive: true, force: true });
      await t.drop();
      assert.equal(openDatabaseCount(), 0, 'every database handle is closed');
    });

    /**
     * Runs `wayback <args> --json` and expects the refusal: exit `exit`, one line on stderr matching
     * `pattern`, the same message in {"error": {code, message}} on stdout, and the database as `before`
     * (by default, as the previous refusal left it: so a command that wrongly changes the database fails
     * its own test, and no later one).
     */
    async function expectRefused(args: readonly string[], exit: 1 | 2, code: string | RegExp, pattern: RegExp, before = untouched): Promise<void> {
      const result = await runCli([...args, '--json', '--db', t.url]);
      const database = await inspect(t, snapshot);
      untouched = database;
      const shown = `wayback ${args.join(' ')}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
      assert.deepEqual({ exit: result.code, database }, { exit, database: before }, shown);
      const message = expectOneLineError({ ...result, stdout: '' }, exit, pattern);
      const document = oneJson<{ error: { code: string; message: string } }>(result.stdout, result.stderr);
      assert.deepEqual(document, { error: { code: document.error.code, message } }, 'the JSON error says what stderr says');
      assert.match(document.error.code, typeof code === 'string' ? new RegExp(`^${escaped(code)}$`) : code);
    }

    const revert = (...args: string[]) => ['revert', ...args];

    describe('revert', () => {
      it('narrowing flags without a selector', async () => {
        await expectRefused(revert('--table', 'account', '--dry-run'), 2, 'usage', /say what to revert: --changeset id, --feature f, --tx n or --app name/);
      });

      it('an unknown flag, and a misspelt one with the flag it meant', async () => {
        await expectRefused(revert('--changeset', job, '--yes'), 2, 'usage', /unknown option '--yes'/);
        await expectRefused(revert('--changeset', job, '--dryrun'), 2, 'usage',
          /unknown option '--dryrun' \(did you mean --dry-run\?\); wayback revert --help lists the options$/);
      });

      it('--mode bogus, and force spelled any other way: never taken for force, nor for the default', async () => {
        const choices = /argument '.*' is invalid\. Allowed choices are skip-conflicts, strict, force\./;
        for (const spelling of [['--mode', 'bogus'], ['--mode', 'FORCE'], ['--mode', 'Force'], ['--mode', 'forced'], ['--mode=Force']]) {
          await expectRefused(revert('--changeset', job, ...spelling), 2, 'usage', choices);
        }
        await expectRefused(revert('--changeset', job, '--force'), 2, 'usage', /unknown option '--force'/);
      });

      const notATime = (flag: string, value: string) =>
        new RegExp(`${flag}: "${escaped(value)}" is not a time; use an ISO 8601 timestamp .* or an age like 30m, 2h, 3d`);

      it('--since or --until that is not a time', async () => {
        await expectRefused(revert('--feature', 'payout', '--since', 'yesterday'), 2, 'bad-time', notATime('--since', 'yesterday'));
        await expectRefused(revert('--feature', 'payout', '--until', '2 weeks ago'), 2, 'bad-time', notATime('--until', '2 weeks ago'));
      });

      // --until, not --since: while the date is read as March 2nd, --since would revert the payout job.
      it('a date that does not exist (February 30th) is not a time, never read as another day', async () => {
        await expectRefused(revert('--feature', 'payout', '--until', '2026-02-30'), 2, 'bad-time', notATime('--until', '2026-02-30'));
      });

      it('--until before --since, which no write can match', async () => {
        await expectRefused(
          revert('--feature', 'payout', '--since', '2026-11-21T00:00:00Z', '--until', '2026-11-20T00:00:00Z'),
          2,
          'usage',
          /--until 2026-11-20T00:00:00(\.000)?Z is before --since 2026-11-21T00:00:00(\.000)?Z, so nothing can match; swap them$/,
        );
      });

      it('--tx that is not a transaction id: a word, a fraction, a number past bigint', async () => {
        for (const tx of ['abc', '1.5']) {
          await expectRefused(revert('--tx', tx), 2, 'usage',
            new RegExp(`--tx takes a transaction id \\(a number\\), not "${escaped(tx)}"; "wayback changesets --json" lists each change set's txids$`));
        }
        await expectRefused(revert('--tx', '99999999999999999999'), 2, 'usage',
          /--tx takes a transaction id \(a number\), not "99999999999999999999": no transaction id is that large; check the number$/);
      });

      it('--table naming a table that is not tracked, or no table at all', async () => {
        for (const table of ['notes', 'no_such_table', '"unterminated']) {
          await expectRefused(revert('--changeset', job, '--table', table), 1, 'bad-selector',
            new RegExp(`--table ${escaped(table)}: not a tracked table; "wayback status" lists them`));
        }
      });

      it('an unknown change set among known ones: the known ones are not reverted either', async () => {
        await expectRefused(revert('--changeset', job, '--changeset', 'nope'), 1, 'changeset-not-found', /no change set "nope" in the journal; "wayback changesets" lists them/);
      });

      it('a selector that matches nothing: a feature, an application, a transaction, a table the change set never wrote', async () => {
        const nothing = (what: string) => new RegExp(`^error: ${what} matches no journal entry; "wayback changesets" lists what can be reverted$`);
        await expectRefused(revert('--feature', 'no-such-feature'), 1, 'selection-empty', nothing('feature no-such-feature'));
        await expectRefused(revert('--app', 'nobody'), 1, 'selection-empty', nothing('application nobody'));
        await expectRefused(revert('--tx', '1'), 1, 'selection-empty', nothing('transaction 1'));
        await expectRefused(revert('--changeset', job, '--table', 'ledger'), 1, 'selection-empty', nothing(`change set ${escaped(job)}, table ledger`));
      });

      it('--out into a directory that does not exist: one line naming the path, no plan file', async () => {
        const missing = join(dir, 'no-such-dir', 'plan.json');
        await expectRefused(revert('--changeset', job, '--out', missing), 1, 'plan-file-unwritable',
          new RegExp(`cannot write the plan to ${escaped(missing)}: directory ${escaped(dirname(missing))} does not exist; create it or choose another --out$`));
        assert.equal(existsSync(join(dir, 'no-such-dir')), false);
      });

      it('--out naming a directory', async () => {
        await expectRefused(revert('--changeset', job, '--out', dir), 1, 'plan-file-unwritable',
          new RegExp(`cannot write the plan to ${escaped(dir)}: it is a directory; name a file$`));
      });
    });

    describe('apply', () => {
      const apply = (path: string) => ['apply', path];
      const write = (name: string, text: string) => {
        const path = join(dir, name);
        writeFileSync(path, text);
        return path;
      };

      it('no plan file named', async () => {
        await expectRefused(['apply'], 2, 'usage',
          /missing required argument 'plan\.json': the plan to apply, saved by "wayback revert … --out plan\.json"; usage: wayback apply \[options\] <plan\.json>$/);
      });

      it('a file that does not exist', async () => {
        const missing = join(dir, 'missing.json');
        await expectRefused(apply(missing), 1, 'plan-file-unreadable',
          new RegExp(`cannot read the plan ${escaped(missing)}: no such file; check the path, or save one with "wayback revert … --out ${escaped(missing)}"$`));
      });

      it('a file that is not JSON, and a plan cut off mid-file', async () => {
        const notJson = write('notes.txt', 'revert everything please\n');
        const text = readFileSync(plans.good, 'utf8');
        const truncated = write('truncated.json', text.slice(0, Math.floor(text.length / 2)));
        await expectRefused(apply(notJson), 1, 'plan-file-invalid', new RegExp(`${escaped(notJson)} is not a wayback plan \\(not JSON\\); make one with "wayback revert … --out`));
        await expectRefused(apply(truncated), 1, 'plan-file-invalid',
          new RegExp(`${escaped(truncated)} is not a whole wayback plan: it ends mid-document, as if cut off; make it again with "wayback revert … --out`));
      });

      it('JSON that is not a plan: what changesets --json prints, a revert result, null', async () => {
        const listed = await runCli(['changesets', '--json', '--db', t.url]);
        assert.equal(listed.code, 0, listed.stderr);
        const reverted = JSON.stringify({ applied: false, changeset: null, counts: {}, conflicts: [] });
        for (const [name, text] of [['changesets.json', listed.stdout], ['result.json', reverted], ['null.json', 'null']] as const) {
          const path = write(name, text);
          await expectRefused(apply(path), 1, 'plan-file-invalid', new RegExp(`${escaped(path)} is not a wayback plan \\(no "kind": "wayback-plan"\\)`));
        }
      });

      it('a plan of a newer version', async () => {
        const path = write('v2.json', JSON.stringify({ ...JSON.parse(readFileSync(plans.good, 'utf8')), version: 2 }));
        await expectRefused(apply(path), 1, 'plan-file-invalid',
          new RegExp(`${escaped(path)} is a plan from a newer wayback \\(version 2, this wayback reads version 1\\); upgrade wayback, or plan again with this one$`));
      });

      it('a plan made on another database', async () => {
        const plan = JSON.parse(readFileSync(plans.good, 'utf8'));
        const path = write('foreign.json', JSON.stringify({ ...plan, database: { ...plan.database, system: '1' } }));
        // On PGlite both databases are called "postgres": the message tells them apart by identifier and URL.
        await expectRefused(apply(path), 1, 'plan-foreign',
          new RegExp(`this plan was made on another database \\("[^"]+", system identifier 1\\), not this one \\("[^"]+" at ${escaped(redactUrl(t.url))}\\); plan again here$`));
      });

      // These change the database before applying (untrack, drop), so each compares with its own snapshot.
      it('a plan whose table has since been untracked: refused whole, not applied to the tables still tracked', async () => {
        const untracked = await runCli(['untrack', 'ledger', '--db', t.url]);
        assert.equal(untracked.code, 0, untracked.stderr);
        const before = await inspect(t, snapshot);
        await expectRefused(apply(plans.transfer), 1, 'plan-table-gone',
          new RegExp(`${escaped(plans.transfer)} names public\\.ledger, which is no longer tracked; nothing was applied: track it again, or plan again$`), before);
      });

      it('a plan whose table has since been dropped', async () => {
        const dropped = await inspect(t, (db) => db.query('drop table scratch'));
        assert.ok(dropped);
        const before = await inspect(t, snapshot);
        await expectRefused(apply(plans.scratch), 1, 'plan-table-gone',
          new RegExp(`${escaped(plans.scratch)} names public\\.scratch, which has been dropped; nothing was applied: plan again$`), before);
      });

      it('after all the refusals, the good plan still applies', async () => {
        const result = await runCli(['apply', plans.good, '--json', '--db', t.url]);
        assert.equal(result.code, 3, result.stderr);
        assert.deepEqual(oneJson(result.stdout).counts, { cellsRestored: 2, rowsDeleted: 0, rowsReinserted: 0, conflicts: 1 });
        assert.deepEqual((await inspect(t, snapshot)).tables['public.account'], ['(1,ann,10)', '(2,bob,20)', '(3,cy,99)']);
      });
    });
  });
}
