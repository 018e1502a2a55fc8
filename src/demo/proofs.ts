import { sqlFile, type Queryable } from '../db/index.js';
import type { Conflict, ConflictKind, RevertResult } from '../revert/index.js';
import { compareMoments, type Moment } from './moments.js';
import { number } from './story.js';

/** One claim the demo makes about the data, with the two numbers it compares; `ok` says whether it holds. */
export interface Proof {
  readonly kind: 'proof';
  readonly name: string;
  readonly claim: string;
  readonly expected: number;
  readonly actual: number;
  readonly ok: boolean;
}

/** A conflict the data says the revert must report, in the revert's own terms. */
export interface ExpectedConflict {
  readonly table: string;
  readonly pk: string;
  readonly column: string | null;
  readonly kind: ConflictKind;
  readonly base: string | null;
  readonly written: string | null;
  readonly current: string | null;
}

/** The numbers of sql/proofs.sql: cells and rows followed from before the job to after the revert. */
export interface RevertFacts {
  readonly scrambledCells: number;
  readonly untouchedScrambledCells: number;
  readonly restoredCells: number;
  readonly rewrittenScrambledCells: number;
  readonly keptRewrittenCells: number;
  readonly weekendCells: number;
  readonly intactWeekendCells: number;
  readonly weekendRows: number;
  readonly intactWeekendRows: number;
  readonly deletedRows: number;
  readonly reinsertedRows: number;
  readonly insertedRows: number;
  readonly referencedInsertedRows: number;
  readonly removedInsertedRows: number;
  readonly keptReferencedRows: number;
  readonly otherCellsChanged: number;
  readonly expectedConflicts: readonly ExpectedConflict[];
}

export async function revertFacts(db: Queryable): Promise<RevertFacts> {
  const { rows } = await db.query<Record<string, number> & { expected_conflicts: ExpectedConflict[] }>(sqlFile(import.meta.url, 'sql/proofs.sql'));
  const row = rows[0];
  if (row === undefined) throw new Error('sql/proofs.sql returned no row');
  const { expected_conflicts: expectedConflicts, ...counts } = row;
  // sql/proofs.sql names each count as RevertFacts names the field, in snake_case.
  const camel = Object.fromEntries(Object.entries(counts).map(([key, n]) => [key.replace(/_(\w)/g, (_, c: string) => c.toUpperCase()), n]));
  return { ...(camel as Omit<RevertFacts, 'expectedConflicts'>), expectedConflicts };
}

/** The claims about the revert, each checked against the data before and after it. */
export function revertProofs(facts: RevertFacts, result: RevertResult): Proof[] {
  const f = facts;
  const matched = result.conflicts.filter((c) => f.expectedConflicts.some((e) => sameConflict(c, e))).length;
  const removable = f.insertedRows - f.referencedInsertedRows;
  return [
    proof(
      'untouched-cells-restored',
      `${number(f.restoredCells)} of the ${number(f.untouchedScrambledCells)} scrambled cells nobody wrote since hold their value from before the job again`,
      f.untouchedScrambledCells,
      f.restoredCells,
    ),
    proof('revert-count-agrees', `the revert's own count agrees: ${number(result.counts.cellsRestored)} cells restored`, f.restoredCells, result.counts.cellsRestored),
    proof(
      'rewritten-cells-kept',
      `${number(f.keptRewrittenCells)} of the ${number(f.rewrittenScrambledCells)} scrambled cells written again on the weekend keep the weekend's value`,
      f.rewrittenScrambledCells,
      f.keptRewrittenCells,
    ),
    {
      ...proof(
        'conflicts-reported',
        `${number(result.conflicts.length)} conflicts reported; the data predicts ${number(f.expectedConflicts.length)}, and ${number(matched)} match it in kind, base, written and current`,
        f.expectedConflicts.length,
        matched,
      ),
      ok: matched === f.expectedConflicts.length && result.conflicts.length === f.expectedConflicts.length,
    },
    proof(
      'weekend-intact',
      `${number(f.intactWeekendCells)} of the ${number(f.weekendCells)} cells edited and ${number(f.intactWeekendRows)} of the ${number(f.weekendRows)} rows added on the weekend are intact`,
      f.weekendCells + f.weekendRows,
      f.intactWeekendCells + f.intactWeekendRows,
    ),
    proof('deleted-rows-back', `${number(f.reinsertedRows)} of the ${number(f.deletedRows)} rows the job deleted are back, exactly as they were`, f.deletedRows, f.reinsertedRows),
    {
      ...proof(
        'inserted-rows-removed',
        `${number(f.removedInsertedRows)} of the ${number(f.insertedRows)} rows the job inserted are gone; ${number(f.keptReferencedRows)} stay, as weekend rows point at them`,
        removable,
        f.removedInsertedRows,
      ),
      ok: f.removedInsertedRows === removable && f.keptReferencedRows === f.referencedInsertedRows,
    },
    proof('nothing-else-changed', `${number(f.otherCellsChanged)} other cells changed: the revert wrote only what the job had written`, 0, f.otherCellsChanged),
  ];
}

/** The claim that two moments hold the same rows, e.g. that reverting the revert gives back Sunday morning. */
export async function sameDataProof(db: Queryable, name: string, now: Moment, earlier: Moment, what: string): Promise<Proof> {
  const { rowsCompared, rowsDiffering } = await compareMoments(db, now, earlier);
  const same = rowsCompared - rowsDiffering;
  return proof(name, `${number(same)} of ${number(rowsCompared)} rows are exactly as ${what}`, rowsCompared, same);
}

function proof(name: string, claim: string, expected: number, actual: number): Proof {
  return { kind: 'proof', name, claim, expected, actual, ok: expected === actual };
}

function sameConflict(reported: Conflict, expected: ExpectedConflict): boolean {
  return (
    reported.table === `public.${expected.table}` &&
    Object.values(reported.pk).join(',') === expected.pk &&
    reported.column === expected.column &&
    reported.kind === expected.kind &&
    reported.base === expected.base &&
    reported.written === expected.written &&
    reported.current === expected.current
  );
}
