// wayback revert and wayback apply from the command line: the JSON contract, exit codes 0/3/1/2,
// human output in 80 columns, and a refused command that changes nothing.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openDatabaseCount, type Db } from '../../src/db/index.js';
import { inChangeset, track } from '../../src/journal/index.js';
import { backends, type TestDatabase } from '../support/backends.js';
import { expectFits, expectJsonError, expectNoColour, expectOneLineError, inspect, oneJson, runCli, runCliOnTty } from '../support/cli.js';

interface RevertJson {
  applied: boolean;
  changeset: string | null;
  counts: { cellsRestored: number; rowsDeleted: number; rowsReinserted: number; conflicts: number };
  conflicts: { table: string; pk: Record<string, string>; column: string | null; kind: string; base: string | null; written: string | null; current: string | null }[];
}

const contents = (db: Db) => db.query<{ r: string }>('select t::text as r from account t order by id').then((r) => r.rows.map((row) => row.r));

for (const backend of backends) {
  describe(`wayback revert and apply on ${backend.name}`, () => {
    let t: TestDatabase;
    let dir: string;
    let job: string;
    before(async () => {
      t = await backend.fresh({ onDisk: true });
      dir = mkdtempSync(join(tmpdir(), 'wayback-cli-revert-'));
      await t.db.query('create table account (id int primary key, owner text, balance int)');
      await track(t.db, ['account']);
      await t.db.query("insert into account values (1, 'ann', 10), (2, 'bob', 20), (3, 'cy', 30)");
      job = await inChangeset(t.db, { kind: 'job', feature: 'payout' }, async (tx, c) => {
        await tx.query('update account set balance = 0');
        return c.id;
      });
      await t.db.query('update account set balance = 99 where id = 3');
      await t.db.close();
    });
    after(async () => {
      rmSync(dir, { recursive: true, force: true });
      await t.drop();
      assert.equal(openDatabaseCount(), 0, 'every database handle is closed');
    });

    const cli = (...args: string[]) => runCli([...args, '--db', t.url]);

    it('refuses bad selectors with exit 2 and unknown change sets with exit 1, changing nothing', async () => {
      expectOneLineError(await cli('revert'), 2, /say what to revert/);
      expectOneLineError(await cli('revert', '--changeset', job, '--feature', 'payout'), 2, /use one of/);
      expectOneLineError(await cli('revert', '--changeset', job, '--since', '2h'), 2, /narrow --feature or --app/);
      expectOneLineError(await cli('revert', '--changeset', job, '--mode', 'yolo'), 2, /--mode/);
      expectJsonError(await cli('revert', '--changeset', 'nope', '--json'), 1, 'changeset-not-found', /no change set "nope"/);
      assert.deepEqual(await inspect(t, contents), ['(1,ann,0)', '(2,bob,0)', '(3,cy,99)']);
    });

    it('a dry run prints the conflicts in 80 columns, exits 3, and changes nothing', async () => {
      const result = await cli('revert', '--changeset', job, '--dry-run');
      assert.equal(result.code, 3, result.stderr);
      expectFits(result.stdout);
      expectNoColour(result.stdout);
      assert.match(result.stdout, /^dry run, nothing changed; reverting\n {2}change set job:payout:/);
      assert.match(result.stdout, /account\s+id=3\s+balance\s+cell-changed-later\s+30\s+0\s+99/);
      assert.match(result.stdout, new RegExp(`apply it: wayback revert --changeset ${job.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      assert.deepEqual(await inspect(t, contents), ['(1,ann,0)', '(2,bob,0)', '(3,cy,99)']);
    });

    it('shows its progress on a terminal, and none with --json', async () => {
      const shown = await runCliOnTty(['revert', '--changeset', job, '--dry-run', '--db', t.url], { env: { NO_COLOR: '1' } });
      assert.equal(shown.code, 3, shown.stdout);
      assert.match(shown.stdout, /reverting: planning 0\/1 \d+\.\d s/);
      assert.match(shown.stdout, /reverting: applying \d\/3 \d+\.\d s/);
      const quiet = await runCliOnTty(['revert', '--changeset', job, '--dry-run', '--json', '--db', t.url]);
      assert.equal(quiet.code, 3, quiet.stdout);
      assert.doesNotMatch(quiet.stdout, /reverting/);
      assert.equal(oneJson<RevertJson>(quiet.stdout.replaceAll('\r\n', '\n')).applied, false);
    });

    it('saves a plan with --out, and apply carries it out with the JSON contract and exit 3 for the conflict left', async () => {
      const path = join(dir, 'plan.json');
      const saved = await cli('revert', '--changeset', job, '--out', path, '--json');
      assert.equal(saved.code, 0, saved.stderr);
      assert.ok(existsSync(path));
      assert.deepEqual(await inspect(t, contents), ['(1,ann,0)', '(2,bob,0)', '(3,cy,99)']);
      const applied = await cli('apply', path, '--json');
      assert.equal(applied.code, 3, applied.stderr);
      const result = oneJson<RevertJson>(applied.stdout);
      assert.equal(result.applied, true);
      assert.match(result.changeset ?? '', /^revert:/);
      assert.deepEqual(result.counts, { cellsRestored: 2, rowsDeleted: 0, rowsReinserted: 0, conflicts: 1 });
      assert.deepEqual(result.conflicts, [
        { table: 'public.account', pk: { id: '3' }, column: 'balance', kind: 'cell-changed-later', base: '30', written: '0', current: '99' },
      ]);
      assert.deepEqual(await inspect(t, contents), ['(1,ann,10)', '(2,bob,20)', '(3,cy,99)']);

      const undo = await cli('revert', '--changeset', result.changeset ?? '', '--json');
      assert.equal(undo.code, 0, undo.stderr);
      assert.equal(oneJson<RevertJson>(undo.stdout).counts.cellsRestored, 2);
      assert.deepEqual(await inspect(t, contents), ['(1,ann,0)', '(2,bob,0)', '(3,cy,99)']);
    });

    it('strict mode applies nothing when a conflict exists (exit 3); force overwrites it (exit 0)', async () => {
      const strict = await cli('revert', '--changeset', job, '--mode', 'strict', '--json');
      assert.equal(strict.code, 3);
      assert.equal(oneJson<RevertJson>(strict.stdout).applied, false);
      assert.deepEqual(await inspect(t, contents), ['(1,ann,0)', '(2,bob,0)', '(3,cy,99)']);
      const forced = await cli('revert', '--changeset', job, '--mode', 'force');
      assert.equal(forced.code, 0, forced.stderr);
      expectFits(forced.stdout);
      assert.deepEqual(await inspect(t, contents), ['(1,ann,10)', '(2,bob,20)', '(3,cy,30)']);
    });
  });
}
