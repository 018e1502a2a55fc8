import { applyPlan, DatabaseMismatchError, PlanTableGoneError, readPlanFile, type Plan } from '../../revert/index.js';
import { command, withDb } from '../command.js';
import { ExitCode, finishWith } from '../exit-code.js';
import { describe } from './revert.js';

export const applyCommand = command(
  'apply',
  'apply a plan saved by "wayback revert --out", re-checking every value it expects',
  [
    'wayback apply plan.json          # made by: wayback revert … --out plan.json',
    'wayback apply plan.json --json',
  ],
  { conflicts: true },
)
  .argument('<plan.json>', 'the plan to apply, saved by "wayback revert … --out plan.json"')
  .action((path, options) => {
    const plan = readPlanFile(path);
    return withDb(options, async (db, out) => {
      const progress = out.progress('applying');
      const result = await applyPlan(db, plan, { onProgress: (_, done, total) => progress.update(done, total) }).catch((error: unknown) => {
        throw namingWhere(error, path, plan, db.url);
      });
      progress.done();
      out.result(result, () => describe(result, undefined, false, out));
      if (result.conflicts.length > 0) finishWith(ExitCode.conflicts);
    });
  });

/**
 * The library names a plan and a database only as it knows them; here they have a path and a URL.
 * Every PGlite database is called "postgres", so the URL (and the plan's system identifier) is what
 * tells the two apart.
 */
function namingWhere(error: unknown, path: string, plan: Plan, url: string): unknown {
  if (error instanceof PlanTableGoneError && error.path === undefined) return new PlanTableGoneError(error.tables, path, { cause: error });
  if (error instanceof DatabaseMismatchError && typeof error.here === 'string') {
    return new DatabaseMismatchError({ name: plan.database.name, system: plan.database.system }, { name: error.here, url }, { cause: error });
  }
  return error;
}
