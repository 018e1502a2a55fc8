// Crash safety of `wayback revert`: the CLI killed with SIGKILL at random points of its run leaves the
// database entirely before or entirely after the revert, with a journal that agrees; and a further
// revert (what `wayback revert` calls, after the open that recovers the stale lock file and replays
// the WAL) finishes the job, or finds it done. The change set is set up once per backend; each trial
// kills the CLI in a copy of it. Kill delays come from a seeded generator (replay a run with
// WAYBACK_TEST_SEED=<printed seed>), spread over the run time measured first.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { openDatabaseCount, type Db } from '../../src/db/index.js';
import { inChangeset, listChangesets, track, type RowCounts } from '../../src/journal/index.js';
import { revert } from '../../src/revert/index.js';
import { backends, type TestBackend, type TestDatabase } from '../support/backends.js';
import { cleanEnv, cliPath, oneJson, runCli, type CliResult } from '../support/cli.js';
import { repoRoot } from '../support/env.js';
import { pgliteCopier, serverCopier, type Copier, type Copy } from './fixtures/database-copies.js';
import { seededRandom, testSeed as seed } from './fixtures/seeded-random.js';

/**
 * Kills that must land while the CLI runs, per backend. Trials go on (up to maxTrials) until that many
 * did: how long a revert takes depends on the machine's load, so the kill window adapts to the runs.
 */
const requiredKills = 20;
const maxTrials = 80;
/** Trials under way at once: while one CLI runs in a process of its own, this process checks the last. */
const concurrency = 2;
/** Accounts in the table (a multiple of 100); the change set updates 70% of them, inserts 10% more and deletes 10%. */
const accounts: Record<TestBackend['name'], number> = { pglite: 2000, postgres: 10000 };
const tables = ['account', 'transfer'] as const;

/** Everything a kill could leave half-done: the rows of both tables, and the revert change sets the journal holds. */
interface State {
  readonly rows: Readonly<Record<string, readonly string[]>>;
  readonly reverts: readonly RevertTrace[];
}

/** A revert change set as the journal records it, without what differs from run to run (ids, times). */
interface RevertTrace {
  /** As `wayback changesets` counts it. */
  readonly tables: Readonly<Record<string, RowCounts>>;
  /** "table op rows", in the order written. */
  readonly statements: readonly string[];
  /** A digest of every journal entry: table, op, key, before and after images. */
  readonly entries: string;
}

/**
 * Accounts 1..n and a transfer for every tenth; then the change set S of a bulk job (updates, inserts
 * of accounts with transfers, deletes of accounts with their transfers), and later writes by others:
 * one to a column S did not write, one conflict per 101 accounts, and one on a transfer S inserted (so
 * that transfer and its account stay). Returns S's id.
 */
async function prepare(db: Db, n: number): Promise<string> {
  const [paid, closedFrom, opened] = [(n / 10) * 7, (n / 10) * 9 + 1, (n / 10) * 11];
  await db.query('create table account (id int primary key, owner text not null, balance bigint not null, note text)');
  await db.query('create table transfer (id int primary key, account_id int not null references account, amount int not null)');
  await track(db, [...tables]);
  await db.query("insert into account select g, 'owner ' || g, g * 10, null from generate_series(1, $1::int) g", [n]);
  await db.query('insert into transfer select g, g, g from generate_series(10, $1::int, 10) g', [n]);
  const s = await inChangeset(db, { kind: 'job', feature: 'payout' }, async (tx, c) => {
    await tx.query("update account set balance = balance * 3 + 1, note = 'paid' where id <= $1::int", [paid]);
    await tx.query("insert into account select g, 'new ' || g, 0, 'opened' from generate_series($1::int, $2::int) g", [n + 1, opened]);
    await tx.query('insert into transfer select g, g, 5 from generate_series($1::int, $2::int) g', [n + 1, opened]);
    await tx.query('delete from transfer where account_id between $1::int and $2::int', [closedFrom, n]);
    await tx.query('delete from account where id between $1::int and $2::int', [closedFrom, n]);
    return c.id;
  });
  await db.query("update account set owner = 'moved' where id % 97 = 0 and id <= $1::int", [paid]);
  await db.query('update account set balance = -1 where id % 101 = 0 and id <= $1::int', [paid]);
  await db.query('update transfer set amount = 0 where id = $1::int', [n + 1]);
  return s;
}

async function snapshot(db: Db): Promise<State> {
  const rows: Record<string, string[]> = {};
  for (const table of tables) {
    rows[table] = (await db.query<{ r: string }>(`select t::text as r from ${table} t order by id`)).rows.map((row) => row.r);
  }
  const reverts: RevertTrace[] = [];
  for (const changeset of (await listChangesets(db)).changesets.filter((c) => c.id.startsWith('revert:'))) {
    const statements = await db.query<{ s: string }>(
      `select concat_ws(' ', t.table_name, s.op, s.rows) as s
         from wayback.statement s join wayback.tracked_table t on t.id = s.table_id
        where s.changeset = $1 order by s.id`,
      [changeset.id],
    );
    const entries = await db.query<{ digest: string }>(
      `select md5(string_agg(concat_ws(' ', table_name, op, pk, before, after), E'\\n' order by table_name, op, pk::text, stmt)) as digest
         from wayback.journal_entry where changeset = $1`,
      [changeset.id],
    );
    reverts.push({ tables: changeset.tables, statements: statements.rows.map((row) => row.s), entries: entries.rows[0]?.digest ?? '' });
  }
  return { rows, reverts };
}

async function snapshotOf(copy: Copy): Promise<State> {
  const db = await copy.open();
  try {
    return await snapshot(db);
  } finally {
    await db.close();
  }
}

/** How a state's rows differ from a known state's, in a line: for a failure message. */
function difference(state: State, known: State): string {
  return tables
    .map((table) => {
      const theirs = new Set(known.rows[table]);
      const ours = new Set(state.rows[table]);
      const extra = [...ours].filter((row) => !theirs.has(row));
      const missing = [...theirs].filter((row) => !ours.has(row));
      return `${table}: ${extra.length} rows too many (e.g. ${extra[0] ?? '-'}), ${missing.length} missing (e.g. ${missing[0] ?? '-'})`;
    })
    .join('; ');
}

type Side = 'before' | 'after';

/** The state is one of the two known ones, rows and journal alike; which one. */
function expectBeforeOrAfter(state: State, known: Readonly<Record<Side, State>>, label: string): Side {
  const side = (['before', 'after'] as const).find((candidate) => JSON.stringify(state.rows) === JSON.stringify(known[candidate].rows));
  assert.ok(
    side !== undefined,
    `${label}: the tables are neither as before the revert nor as after it. Against before: ${difference(state, known.before)}. Against after: ${difference(state, known.after)}`,
  );
  assert.deepEqual(state.reverts, known[side].reverts, `${label}: the tables are as ${side} the revert, and the journal must say the same`);
  return side;
}

/** A revert's result as its --json prints it, without its own change set id (new every run), conflicts in a fixed order. */
function normalized(result: unknown): unknown {
  const document = JSON.parse(JSON.stringify(result)) as { changeset: string | null; conflicts: unknown[] };
  const changeset = document.changeset === null ? null : document.changeset.replace(/^(revert:).*/, '$1…');
  return { ...document, changeset, conflicts: document.conflicts.map((c) => JSON.stringify(c)).sort() };
}

/** What a finished `wayback revert --json` printed, with the exit code the contract gives it. */
function cliOutcome(result: CliResult): unknown {
  assert.ok(result.code === 0 || result.code === 3, `revert failed: exit ${result.code}, signal ${result.signal}: ${result.stderr}`);
  const document = oneJson<{ conflicts: unknown[] }>(result.stdout, result.stderr);
  assert.equal(result.code, document.conflicts.length > 0 ? 3 : 0, `revert exit ${result.code}, signal ${result.signal}: ${result.stderr}`);
  return normalized(document);
}

async function timed<T>(work: Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await work;
  return [value, performance.now() - start];
}

/**
 * Runs `wayback <args>` under coreutils `timeout`, which sends it SIGKILL after `delayMs` unless it has
 * exited by then. The kill comes from that process, on time even while this one is busy (PGlite
 * blocks this event loop while it checks another trial). With --preserve-status, a CLI that exits on its
 * own just as the deadline passes (the kill then finds a process already ending) reports its own exit
 * code; without it, timeout says 124 and the code is lost.
 */
function runKilledAfter(args: readonly string[], delayMs: number): Promise<CliResult> {
  const command = ['--foreground', '--preserve-status', '--signal=KILL', `${(delayMs / 1000).toFixed(3)}s`, process.execPath, cliPath, ...args];
  return new Promise((resolve, reject) => {
    execFile('timeout', command, { cwd: repoRoot, env: cleanEnv(), maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : error.code;
      if (typeof code !== 'number') reject(error ?? new Error('timeout ended without an exit code'));
      // 128 + 9: timeout killed it (and reaped it: with --foreground it waits for its child, so the
      // lock file's owner is gone, not a zombie, when the next opener looks). The CLI exits 0 to 3.
      else resolve(code === 137 ? { code: null, signal: 'SIGKILL', stdout, stderr } : { code, signal: null, stdout, stderr });
    });
  });
}

/**
 * Runs trials `concurrency` at a time while `more()` says so; after a failure starts no more, lets those
 * under way end, and throws it.
 */
async function inTurns<T>(more: () => boolean, concurrency: number, trial: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && more()) {
      const index = next++;
      try {
        results[index] = await trial(index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: concurrency }, worker));
  const failure = settled.find((outcome) => outcome.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
  return results;
}

interface Landing {
  /** Killed while it ran (else it had exited on its own before the kill). */
  readonly killed: boolean;
  /** How long it ran, in ms. */
  readonly ranMs: number;
  readonly side: Side;
  /** See Copy.settle. */
  readonly leftBehind: boolean;
}

for (const backend of backends) {
  describe(`wayback revert killed with SIGKILL on ${backend.name}`, () => {
    let t: TestDatabase;
    let copier: Copier;
    let changeset: string;
    const known = {} as Record<Side, State>;
    const expected = {} as { first: unknown; again: unknown };
    let window = { from: 0, to: 0 };
    const revertArgs = (url: string) => ['revert', '--changeset', changeset, '--db', url, '--json'];

    before(async () => {
      t = await backend.fresh({ onDisk: true });
      changeset = await prepare(t.db, accounts[backend.name]);
      known.before = await snapshot(t.db);
      await t.db.close();
      copier = backend.name === 'pglite' ? pgliteCopier(t) : await serverCopier(t);

      // Clean runs, timed: the reference for the state after, what the CLI prints, and the kill window.
      // Two run side by side, as the trials do, so the timing is taken under the same load.
      const references = [await copier.copy(), await copier.copy()];
      try {
        const [listed, startupMs] = await timed(runCli(['changesets', '--json', '--db', references[0]!.url]));
        assert.equal(listed.code, 0, listed.stderr);
        const runs = await Promise.all(references.map((copy) => timed(runCli(revertArgs(copy.url)))));
        expected.first = cliOutcome(runs[0]![0]);
        assert.deepEqual(cliOutcome(runs[1]![0]), expected.first, 'two clean runs print the same');
        expected.again = cliOutcome(await runCli(revertArgs(references[0]!.url)));
        known.after = await snapshotOf(references[0]!);
        // Kills before the database is open teach little (the state is the one before, trivially), so
        // the window starts after the start-up (timed on a command that only reads) and covers the
        // revert's transaction, up to where the faster clean run ended (runs vary: some kills still
        // land between the commit and the exit, or after it).
        window = { from: startupMs, to: Math.min(...runs.map(([, ms]) => ms)) };
      } finally {
        for (const copy of references) await copy.dispose();
      }
    });

    after(async () => {
      await copier?.close();
      await t?.drop();
      assert.equal(openDatabaseCount(), 0, 'every database handle is closed');
    });

    it('the clean run is the revert this test expects: real work, conflicts where others wrote later', () => {
      const n = accounts[backend.name];
      const updated = (n / 10) * 7;
      const conflicts = Math.floor(updated / 101);
      const first = expected.first as { conflicts: string[] };
      assert.deepEqual(first, {
        kind: 'revert-result',
        applied: true,
        changeset: 'revert:…',
        mode: 'skip-conflicts',
        counts: { cellsRestored: 2 * updated - conflicts, rowsDeleted: 2 * (n / 10 - 1), rowsReinserted: n / 10 + n / 100, conflicts: conflicts + 2 },
        conflicts: first.conflicts,
      });
      assert.deepEqual(
        first.conflicts.map((c) => (JSON.parse(c) as { kind: string }).kind).filter((kind) => kind !== 'cell-changed-later').sort(),
        ['referenced-by-later-rows', 'row-modified-later'],
        'the transfer written later, and the account it points at, stay',
      );
      assert.notDeepEqual(known.after.rows, known.before.rows);
      assert.deepEqual(known.before.reverts, []);
      assert.deepEqual(
        known.after.reverts.map((trace) => trace.tables),
        [{
          'public.account': { inserted: n / 10, updated, deleted: n / 10 - 1 },
          'public.transfer': { inserted: n / 100, updated: 0, deleted: n / 10 - 1 },
        }],
        'the journal holds one revert change set, with what it did',
      );
    });

    /** Kill the CLI after `delay` ms in a fresh copy; check the state; revert again; check it is done. */
    async function trial(index: number, delay: number): Promise<Landing> {
      const label = `trial ${index + 1} (seed ${seed}, killed at ${delay} ms)`;
      const copy = await copier.copy();
      try {
        const [run, ranMs] = await timed(runKilledAfter(revertArgs(copy.url), delay));
        const killed = run.signal === 'SIGKILL';
        if (!killed) assert.deepEqual(cliOutcome(run), expected.first, `${label}: it exited on its own, as the clean run did`);
        const leftBehind = killed && (await copy.settle());
        // Opening it is the first thing a user would do next: recover a stale lock, replay PostgreSQL's WAL.
        const db = await copy.open();
        let side: Side;
        try {
          side = expectBeforeOrAfter(await snapshot(db), known, `${label}, after the kill`);
          assert.ok(killed || side === 'after', `${label}: a revert that finished left the state after it`);
          const further = await revert(db, { changesets: [changeset] });
          assert.deepEqual(normalized(further), side === 'before' ? expected.first : expected.again, `${label}: the further revert`);
          assert.equal(expectBeforeOrAfter(await snapshot(db), known, `${label}, after the further revert`), 'after');
        } finally {
          await db.close();
        }
        copy.expectReleased();
        return { killed, ranMs, side, leftBehind };
      } finally {
        await copy.dispose();
      }
    }

    it(`${requiredKills} kills at random points while it runs: all or nothing each time, and a further revert finishes the job`, async () => {
      const random = seededRandom(seed);
      let killed = 0;
      let started = 0;
      const landings = await inTurns(() => killed < requiredKills && started < maxTrials, concurrency, async (index) => {
        started++;
        const landing = await trial(index, Math.round(window.from + random() * (window.to - window.from)));
        if (landing.killed) killed++;
        // It ended before the kill: later kills come sooner (never before the start-up ends).
        else window = { from: window.from, to: Math.max(window.from + 20, Math.min(window.to, landing.ranMs * 0.9)) };
        return landing;
      });
      const count = landings.length;
      const tally = (match: (landing: Landing) => boolean) => landings.filter(match).length;
      const landed = {
        beforeCommit: tally((l) => l.killed && l.side === 'before'),
        afterCommit: tally((l) => l.killed && l.side === 'after'),
        exitedOnItsOwn: tally((l) => !l.killed),
        leftBehind: tally((l) => l.leftBehind),
      };
      const leftBehind = backend.name === 'pglite' ? 'stale lock files recovered' : 'sessions the server still ran in the revert';
      console.log(
        `${backend.name}: seed ${seed}; ${count} kills between ${Math.round(window.from)} and ${Math.round(window.to)} ms: ` +
          `${landed.beforeCommit} before the commit, ${landed.afterCommit} after it, ${landed.exitedOnItsOwn} too late (exited on its own); ` +
          `${leftBehind}: ${landed.leftBehind}`,
      );
      const shown = JSON.stringify(landed);
      assert.ok(landed.beforeCommit + landed.afterCommit >= requiredKills, `${requiredKills} kills landed while the CLI still ran: ${shown}`);
      assert.ok(landed.beforeCommit > 0, `some kill landed before the commit: ${shown}`);
      // (On the server, a dead client's session is often gone before this test looks: no count to require.)
      if (backend.name === 'pglite') assert.ok(landed.leftBehind > 0, `some kill left a stale lock file for the next opener: ${shown}`);
    });
  });
}
