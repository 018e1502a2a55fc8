import { Option } from '@commander-js/extra-typings';
import { track, trackAll, type TrackedTable } from '../../journal/index.js';
import { command, withDb } from '../command.js';
import { UsageError } from '../errors.js';

export const trackCommand = command('track', 'start journaling every write to tables', [
  'wayback track customer crm.orders',
  'wayback track --all --schema crm      # every table of a schema',
  'wayback track audit_log --key event_id,at   # a table without a primary key',
])
  .argument('[tables...]', 'tables to track (schema.table; default schema from search_path)')
  .option('--all', 'track every table of --schema')
  .addOption(new Option('--schema <schema>', 'schema for --all').default('public'))
  .option('--key <columns>', 'for a table without a primary key: unique NOT NULL columns, comma-separated')
  .action((tables, options) => {
    if (options.all === true && tables.length > 0) throw new UsageError('give table names or --all, not both');
    if (options.all !== true && tables.length === 0) throw new UsageError('name the tables to track, or pass --all');
    if (options.key !== undefined && (options.all === true || tables.length !== 1)) {
      throw new UsageError('--key applies to one table at a time: wayback track <table> --key col,…');
    }
    const key = options.key?.split(',').map((column) => column.trim()).filter((column) => column !== '');
    return withDb(options, async (db, out) => {
      if (options.all === true) {
        const progress = out.progress('tracking');
        const result = await trackAll(db, options.schema, progress.update);
        progress.done();
        for (const skip of result.skipped) out.warn(`skipped ${skip.table}: ${skip.reason}`);
        out.result(result, () => describe(result.tracked));
        return;
      }
      const tracked = await track(db, tables, key === undefined ? {} : { key });
      out.result({ tracked, skipped: [] }, () => describe(tracked));
    });
  });

export function describe(tracked: readonly TrackedTable[]): string[] {
  if (tracked.length === 0) return ['no tables tracked'];
  return [
    ...tracked.map((t) => `tracking ${t.table} (key: ${t.key.join(', ')}${t.keySource === 'explicit' ? ', explicit' : ''})`),
    'every INSERT, UPDATE and DELETE on them is now journaled',
    'see them with: wayback changesets',
  ];
}
