import { sqlFile } from '../db/index.js';
import { changesBetween, snapshot, total, type Changes } from './moments.js';
import { revertFacts } from './proofs.js';
import { cellsChanged, count, rowsChanged, type Story } from './story.js';

/**
 * The weekend (sql/weekend.sql): the customer's own apps keep writing, untagged, to new rows, to
 * other columns of the rows the job scrambled, to a few of the very cells it scrambled, and to rows
 * that point at rows the job created. Counted from the data, like the job.
 */
export async function runWeekend(story: Story): Promise<Changes> {
  const { db, narrator } = story;
  narrator.step('The weekend: the customer keeps working');
  await db.query(sqlFile(import.meta.url, 'sql/weekend.sql'));
  await snapshot(db, 'after-weekend');
  const changes = await changesBetween(db, 'after-job', 'after-weekend');
  // No revert yet, but these two numbers need only the moments before it.
  const { rewrittenScrambledCells, referencedInsertedRows } = await revertFacts(db);
  narrator.say(
    'Nobody has noticed. The careers site and the recruiters keep writing, in transactions as untagged as the job: ' +
      `they added ${rowsChanged(changes, 'inserted')}, and changed ${count(total(changes, 'cells'), 'cell')} (${cellsChanged(changes)}).`,
    `${count(rewrittenScrambledCells, 'edit')} went to cells the job had scrambled (names given on the phone, new LinkedIn links), ` +
      `and new applications point at ${count(referencedInsertedRows, 'candidate')} the job created.`,
  );
  return changes;
}
