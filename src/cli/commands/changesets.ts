import { Option } from '@commander-js/extra-typings';
import { listChangesets, parseTime, type Changeset } from '../../journal/index.js';
import { command, withDb } from '../command.js';
import { UsageError } from '../errors.js';
import { table } from '../output.js';

export const changesetsCommand = command(
  'changesets',
  'list change sets (tagged or not) that wrote tracked tables, newest first',
  'wayback changesets --table customer --column first_name --since 2h',
)
  .option('--feature <feature>', 'only change sets of this feature')
  .option('--app <name>', 'only change sets written by this application_name')
  .option('--table <table>', 'only change sets that wrote this table')
  .option('--column <column>', 'only change sets that wrote this column (with --table: of that table)')
  .option('--since <time>', 'only change sets that wrote at or after: ISO 8601 or an age (30m, 2h, 3d)')
  .option('--until <time>', 'only change sets that wrote at or before: ISO 8601 or an age')
  .addOption(new Option('--limit <n>', 'show at most n change sets').default('100'))
  .action((options) => {
    const limit = Number(options.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive whole number, not "${options.limit}"`);
    const since = options.since === undefined ? undefined : parseTime(options.since, '--since');
    const until = options.until === undefined ? undefined : parseTime(options.until, '--until');
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

function describe(changesets: readonly Changeset[], total: number): string[] {
  if (changesets.length === 0) return ['no change set matches'];
  const rows = changesets.map((c) => [
    c.id,
    c.app ?? '-',
    c.feature ?? '-',
    c.lastAt.slice(0, 19).replace('T', ' '),
    Object.entries(c.tables)
      .map(([name, n]) => `${name.replace(/^public\./, '')} ${[n.inserted && `+${n.inserted}`, n.updated && `~${n.updated}`, n.deleted && `-${n.deleted}`].filter(Boolean).join(' ')}`)
      .join(', '),
  ]);
  const lines = table(['CHANGESET', 'APP', 'FEATURE', 'LAST WRITE (UTC)', 'ROWS (+ins ~upd -del)'], rows, { whole: [0, 3] });
  if (total > changesets.length) lines.push(`… ${total - changesets.length} more; narrow the filters or raise --limit`);
  lines.push('', `details: wayback show ${changesets[0]?.id ?? '<changeset>'}`);
  return lines;
}
