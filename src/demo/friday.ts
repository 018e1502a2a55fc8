import { sqlFile } from '../db/index.js';
import { changesBetween, snapshot, total, type Changes } from './moments.js';
import { cellsChanged, count, rowsChanged, type Story } from './story.js';

export interface FridayJob {
  /** A moment just before the job started, to the second: what the user passes to --since. */
  readonly since: Date;
  readonly changes: Changes;
}

/**
 * Friday 17:00: the candidate-mapper job (sql/friday-job.sql), plain SQL that sets only its
 * application_name; nothing of wayback is called. What it did is counted from the data.
 */
export async function runFridayJob(story: Story): Promise<FridayJob> {
  const { db, narrator } = story;
  narrator.step('Friday 17:00: the candidate-mapper job');
  const since = new Date(Math.floor(Date.now() / 1_000) * 1_000);
  const job = sqlFile(import.meta.url, 'sql/friday-job.sql');
  await db.query(job);
  await snapshot(db, 'after-job');
  const changes = await changesBetween(db, 'before-job', 'after-job');
  narrator.say(
    'A job syncs candidates imported from the old tracking system. Nobody tagged it for wayback: ' +
      'it is plain SQL that sets only its application_name (src/demo/sql/friday-job.sql):',
  );
  narrator.quote(outline(job));
  narrator.say(
    `It pairs import rows with candidates one off: it changed ${count(total(changes, 'cells'), 'cell')} ` +
      `(${cellsChanged(changes)}) in ${rowsChanged(changes, 'updated')}, ` +
      `inserted ${rowsChanged(changes, 'inserted')} and deleted ${rowsChanged(changes, 'deleted')}.`,
  );
  return { since, changes };
}

/** The job as one line per statement, comments left out: enough to see it is plain SQL with no wayback tag. */
function outline(sql: string): string[] {
  return sql
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n')
    .split(/;\s*\n/)
    .map((statement) => statement.trim().replace(/;$/, ''))
    .filter((statement) => statement !== '')
    .map((statement) => {
      const [first = '', ...more] = statement.split('\n');
      return more.length > 0 ? `${first} …;` : `${first};`;
    });
}
