import { untrack } from '../../journal/index.js';
import { command, withDb } from '../command.js';

export const untrackCommand = command('untrack', 'stop journaling tables (their journal stays)', [
  'wayback untrack customer crm.orders',
])
  .argument('<tables...>', 'tables to stop tracking')
  .action((tables, options) =>
    withDb(options, async (db, out) => {
      const untracked = await untrack(db, tables);
      out.result({ untracked }, () => untracked.map((table) => `stopped tracking ${table}; its journal is kept`));
    }),
  );
