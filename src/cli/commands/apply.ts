import { applyPlan, PlanTableGoneError, readPlanFile } from '../../revert/index.js';
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
        throw namingFile(error, path);
      });
      progress.done();
      out.result(result, () => describe(result, undefined, false, out));
      if (result.conflicts.length > 0) finishWith(ExitCode.conflicts);
    });
  });

/** The library knows a plan, not the file it came from: name the file here. */
function namingFile(error: unknown, path: string): unknown {
  if (error instanceof PlanTableGoneError && error.path === undefined) return new PlanTableGoneError(error.tables, path, { cause: error });
  return error;
}
