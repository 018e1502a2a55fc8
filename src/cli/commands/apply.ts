import { applyPlan, readPlanFile } from '../../revert/index.js';
import { command, withDb } from '../command.js';
import { ExitCode, finishWith } from '../exit-code.js';
import { describe } from './revert.js';

export const applyCommand = command(
  'apply',
  'apply a plan saved by "wayback revert --out", re-checking every value it expects',
  'wayback apply plan.json',
)
  .argument('<plan.json>', 'the plan file')
  .action((path, options) => {
    const plan = readPlanFile(path);
    return withDb(options, async (db, out) => {
      const progress = out.progress('applying');
      const result = await applyPlan(db, plan, { onProgress: (_, done, total) => progress.update(done, total) });
      progress.done();
      out.result(result, () => describe(result, undefined, false, out));
      if (result.conflicts.length > 0) finishWith(ExitCode.conflicts);
    });
  });
