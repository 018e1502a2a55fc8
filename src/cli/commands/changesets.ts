import { Option } from '@commander-js/extra-typings';
import { listChangesets, type Changeset, type RowCounts } from '../../journal/index.js';
import { command, withDb } from '../command.js';
import { UsageError } from '../errors.js';
import { cut } from '../fit.js';
import { checkWindow, timeOption } from '../time-option.js';

export const changesetsCommand = command(
  'changesets',
  'list change sets (tagged or not) that wrote tracked tables, newest first',
  [
    'wayback changesets --since 2h',
    'wayback changesets --table customer --column first_name --since 3d',
    'wayback changesets --app nightly-mapper --since 2026-11-20T17:00:00Z',
    'wayback changesets --feature mapping --json',
  ],
)
  .option('--feature <feature>', 'only change sets of this feature')
  .option('--app <name>', 'only change sets written by this application_name')
  .option('--table <table>', 'only change sets that wrote this table')
  .option('--column <column>', 'only change sets that wrote this column (with --table: of that table)')
  .addOption(timeOption('--since <time>', 'only change sets that wrote at or after: ISO 8601 or an age (30m, 2h, 3d)'))
  .addOption(timeOption('--until <time>', 'only change sets that wrote at or before: ISO 8601 or an age'))
  .addOption(new Option('--limit <n>', 'show at most n change sets').default('100', '100'))
  .action((options) => {
    const limit = Number(options.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive whole number, not "${options.limit}"`);
    const { since, until } = options;
    checkWindow(since, until);
    return withDb(options, async (db, out) => {
      const list = await listChangesets(db, {
        ...(options.feature === undefined ? {} : { feature: options.feature }),
        ...(options.app === undefined ? {} : { app: options.app }),
        ...(options.table === undefined ? {} : { table: options.table }),
        ...(options.column === undefined ? {} : { column: options.column }),
        ...(since === undefined ? {} : { since }),
        ...(until === undefined ? {} : { until }),
        limit,
      });
      out.result(list, () => describe(list.changesets, list.total));
    });
  });

/** One block per change set: the id alone on its line (to copy into the next command), then what it did. */
export function describe(changesets: readonly Changeset[], total: number): string[] {
  if (changesets.length === 0) return ['no change set matches'];
  const lines = changesets.flatMap((c) => [
    c.id,
    cut(
      [
        `  ${c.lastAt.slice(0, 16).replace('T', ' ')} UTC`,
        c.app === null ? undefined : `app ${c.app}`,
        c.feature === null ? undefined : `feature ${c.feature}`,
        Object.entries(c.tables).map(([name, n]) => `${name.replace(/^public\./, '')} ${rowCounts(n)}`).join(', '),
      ]
        .filter((part) => part !== undefined)
        .join(' · '),
      80,
    ),
  ]);
  if (total > changesets.length) lines.push(`… ${total - changesets.length} more; narrow the filters or raise --limit`);
  lines.push('', 'rows: +inserted ~updated -deleted', `details: wayback show ${changesets[0]?.id ?? '<changeset>'}`);
  return lines;
}

function rowCounts(n: RowCounts): string {
  return [n.inserted && `+${n.inserted}`, n.updated && `~${n.updated}`, n.deleted && `-${n.deleted}`].filter(Boolean).join(' ');
}
