// wayback demo, run as a user runs it (the built CLI): the story to the end with exit 0, its proofs
// holding and its numbers agreeing with one another, the commands it prints runnable as printed, and
// --keep leaving a database the CLI can open. PGlite only: the demo is the embedded story.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DemoResult } from '../../src/demo/index.js';
import { repoRoot } from '../support/env.js';
import { expectFits, expectNoColour, expectOneLineError, expectSuccess, linesOf, oneJson, runCli, type CliResult } from '../support/cli.js';

const timeoutMs = 180_000;

/** The story's commands, as printed: `$ npx wayback …` with its continuation lines joined, split into words. */
function printedCommands(story: string): string[][] {
  return story
    .replace(/ \\\n {4}/g, ' ')
    .split('\n')
    .filter((line) => line.startsWith('$ npx wayback '))
    .map((line) => line.slice('$ npx wayback '.length).split(' '));
}

describe('wayback demo', () => {
  let scratch: string;
  before(() => {
    scratch = mkdtempSync(join(tmpdir(), 'wayback-demo-test-'));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('is what npm start runs', () => {
    const scripts = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    assert.equal(scripts['start'], 'node dist/cli/bin.js demo');
  });

  describe('--json', () => {
    let run: CliResult;
    let result: DemoResult;
    let temporary: string;
    before(async () => {
      // Its own TMPDIR, to see that the temporary database is gone afterwards.
      temporary = join(scratch, 'tmp');
      mkdirSync(temporary);
      run = await runCli(['demo', '--json'], { env: { TMPDIR: temporary }, timeoutMs });
      result = oneJson<DemoResult>(run.stdout, run.stderr);
    });

    it('runs the story to the end, every proof holding, and leaves no database behind', () => {
      expectSuccess(run);
      assert.equal(result.kind, 'demo-result');
      assert.equal(result.ok, true);
      for (const proof of result.proofs) assert.ok(proof.ok, `proof ${proof.name} failed: ${proof.claim}`);
      assert.equal(result.proofs.length, 10);
      assert.equal(result.db, null);
      assert.deepEqual(readdirSync(temporary), []);
      assert.ok(result.timings.total > 0 && result.timings.total >= result.timings.open);
    });

    it('tells a story of the size the issue asks for: ~2,000 candidates, a few hundred scrambled, a weekend of work', () => {
      assert.equal(result.seeded['candidate'], 2_000);
      assert.ok(result.facts.scrambledCells >= 300 && result.facts.scrambledCells <= 1_500, `${result.facts.scrambledCells} scrambled cells`);
      assert.ok(result.facts.insertedRows > 0 && result.facts.deletedRows > 0);
      assert.ok(result.facts.weekendRows > 0 && result.facts.weekendCells > 0);
      assert.ok(result.facts.rewrittenScrambledCells > 0, 'the weekend edits some of the very cells the job scrambled');
      assert.ok(result.facts.referencedInsertedRows > 0, 'weekend rows point at rows the job created');
      assert.equal(result.job.app, 'candidate-mapper');
      assert.match(result.job.changeset, /^tx:\d+$/, 'the job is untagged');
    });

    it("adds up: the job's cells are restored or conflicts, the weekend's edits are all intact", () => {
      const { facts } = result;
      const revert = result.reverts.revert;
      const jobCells = Object.values(result.job.changes).reduce((sum, t) => sum + Object.values(t.cells).reduce((a, b) => a + b, 0), 0);
      assert.equal(jobCells, facts.scrambledCells);
      assert.equal(facts.restoredCells + facts.rewrittenScrambledCells, facts.scrambledCells);
      assert.equal(revert.counts.cellsRestored, facts.restoredCells);
      assert.equal(facts.keptRewrittenCells, facts.rewrittenScrambledCells);
      assert.equal(revert.counts.conflicts, facts.rewrittenScrambledCells + facts.referencedInsertedRows);
      assert.equal(facts.intactWeekendCells, facts.weekendCells);
      assert.equal(facts.intactWeekendRows, facts.weekendRows);
      assert.equal(facts.reinsertedRows, facts.deletedRows);
      assert.equal(revert.counts.rowsReinserted, facts.deletedRows);
      assert.equal(facts.removedInsertedRows + facts.keptReferencedRows, facts.insertedRows);
      assert.equal(revert.counts.rowsDeleted, facts.removedInsertedRows);
      assert.equal(facts.otherCellsChanged, 0);
    });

    it('lists each conflict with the base, written and current values the data holds', () => {
      const reported = result.reverts.revert.conflicts.map((c) => ({
        table: c.table.replace(/^public\./, ''),
        pk: Object.values(c.pk).join(','),
        column: c.column,
        kind: c.kind,
        base: c.base,
        written: c.written,
        current: c.current,
      }));
      const order = (a: { table: string; pk: string; column: string | null }, b: typeof a) =>
        `${a.table}/${a.pk.padStart(9)}/${a.column}`.localeCompare(`${b.table}/${b.pk.padStart(9)}/${b.column}`);
      assert.deepEqual([...reported].sort(order), [...result.facts.expectedConflicts].map((c) => ({ ...c })).sort(order));
      assert.deepEqual(result.reverts.dryRun.conflicts, result.reverts.revert.conflicts, 'the dry run foretold them');
      assert.equal(result.reverts.dryRun.applied, false);
    });

    it('reverts the revert and reverts that again, cleanly, each undoing the one before', () => {
      const { revert, undo, redo } = result.reverts;
      assert.deepEqual(undo.counts, {
        cellsRestored: revert.counts.cellsRestored,
        rowsDeleted: revert.counts.rowsReinserted,
        rowsReinserted: revert.counts.rowsDeleted,
        conflicts: 0,
      });
      assert.deepEqual(redo.counts, { ...revert.counts, conflicts: 0 });
      const names = result.proofs.map((proof) => proof.name);
      assert.ok(names.includes('undo-gives-back-sunday') && names.includes('redo-gives-back-revert'));
    });
  });

  describe('the story, with --keep', () => {
    let kept: string;
    let run: CliResult;
    before(async () => {
      kept = join(scratch, 'kept');
      run = await runCli(['demo', '--keep', kept], { timeoutMs });
    });

    it('prints each step as the command a user types, followed by what that command prints', () => {
      expectSuccess(run);
      expectNoColour(run.stdout);
      const commands = printedCommands(run.stdout).map((words) => words.join(' '));
      const db = `--db pglite:${kept}`;
      assert.deepEqual(
        commands.map((command) => command.replace(/tx:\d+/g, 'tx:N').replace(/revert:\S+/g, 'revert:R').replace(/--since \S+/, '--since T')),
        [
          `init ${db}`,
          `track --all ${db}`,
          `changesets ${db} --table candidate --column first_name --since T`,
          `show tx:N ${db} --samples 2`,
          `revert ${db} --changeset tx:N --dry-run`,
          `revert ${db} --changeset tx:N`,
          `revert ${db} --changeset revert:R`,
          `revert ${db} --changeset revert:R`,
        ],
      );
      assert.match(run.stdout, /\ntx:\d+\n {2}.* · app candidate-mapper · /, 'changesets names the untagged job and its application');
      assert.match(run.stdout, /conflicts left in place/);
      assert.match(run.stdout, /TABLE\s+KEY\s+COLUMN\s+KIND\s+BASE\s+WRITTEN\s+CURRENT/);
      assert.equal((run.stdout.match(/✓/g) ?? []).length, 10);
      assert.doesNotMatch(run.stdout, /✗/);
      assert.match(run.stdout, new RegExp(`changesets --db pglite:${kept}`), 'it says how to explore the kept database');
    });

    it('fits 80 columns, all of it', () => {
      expectFits(run.stdout);
    });

    it('prints commands that run as printed, with the output it showed', async () => {
      const show = printedCommands(run.stdout).find((words) => words[0] === 'show');
      assert.ok(show !== undefined);
      const again = await runCli(show);
      expectSuccess(again);
      assert.ok(run.stdout.includes(again.stdout), `the story shows what "wayback ${show.join(' ')}" prints:\n${again.stdout}`);
    });

    it('leaves a database the CLI opens, holding the job and the reverts', async () => {
      const listed = await runCli(['changesets', '--db', `pglite:${kept}`, '--json']);
      expectSuccess(listed);
      const { changesets } = oneJson<{ changesets: { id: string; app: string | null }[] }>(listed.stdout);
      assert.ok(changesets.some((c) => /^tx:\d+$/.test(c.id) && c.app === 'candidate-mapper'), 'the job');
      assert.equal(changesets.filter((c) => c.id.startsWith('revert:')).length, 3, 'the revert, its revert, and the revert of that');
    });

    it('refuses to write into a directory that is not empty, changing nothing', async () => {
      const busy = join(scratch, 'busy');
      mkdirSync(busy);
      writeFileSync(join(busy, 'notes.txt'), 'mine');
      expectOneLineError(await runCli(['demo', '--keep', busy]), 1, /--keep .*busy: the directory is not empty/);
      assert.deepEqual(readdirSync(busy), ['notes.txt']);
      const before = linesOf(readdirSync(kept).join('\n'));
      expectOneLineError(await runCli(['demo', '--keep', kept]), 1, /not empty/);
      assert.deepEqual(linesOf(readdirSync(kept).join('\n')), before);
    });
  });
});
