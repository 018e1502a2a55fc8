import { Option } from '@commander-js/extra-typings';
import { checkPlanPath, describeSelector, planRevert, revert, writePlanFile, type Conflict, type RevertResult, type Selector } from '../../revert/index.js';
import { command, withDb } from '../command.js';
import { UsageError } from '../errors.js';
import { ExitCode, finishWith } from '../exit-code.js';
import { table, type Output } from '../output.js';
import { checkWindow, timeOption } from '../time-option.js';

const shownConflicts = 20;

export const revertCommand = command(
  'revert',
  'undo exactly what a change set wrote, keeping every later write; conflicts are reported, not overwritten',
  [
    'wayback revert --changeset tx:4817 --dry-run   # what it would do; no change',
    'wayback revert --changeset tx:4817             # do it, keeping later writes',
    'wayback revert --feature mapping --since 2h --table customer',
    'wayback revert --app nightly-mapper --since 1d --mode strict',
    'wayback revert --changeset tx:4817 --out plan.json   # then: wayback apply',
  ],
  { conflicts: true },
)
  // No default ([]): commander would print "(default: [])" in the help.
  .option('--changeset <id>', 'a change set to revert (repeatable)', (id: string, ids: string[] | undefined) => [...(ids ?? []), id])
  .option('--feature <feature>', 'every change set of this feature (narrow with --since/--until)')
  .option('--tx <txid>', 'the change set of one transaction, by txid')
  .option('--app <name>', 'every change set written by this application_name (narrow with --since/--until)')
  .addOption(timeOption('--since <time>', 'with --feature or --app: writes at or after (ISO 8601 or an age: 30m, 2h, 3d)'))
  .addOption(timeOption('--until <time>', 'with --feature or --app: writes at or before'))
  .option('--table <table>', 'only what the selection wrote to this table')
  .option('--dry-run', 'report what the revert would do; change nothing')
  .option('--out <plan.json>', 'save the plan to a file instead of applying it; apply it later with "wayback apply"')
  .addOption(
    new Option('--mode <mode>', 'skip-conflicts: apply clean cells, report the rest; strict: nothing unless conflict-free; force: overwrite later writes')
      .choices(['skip-conflicts', 'strict', 'force'] as const)
      .default('skip-conflicts' as const),
  )
  .action((options) => {
    const selector = selectorOf(options);
    // Before planning, which can take minutes: a plan that cannot be saved is refused now.
    if (options.out !== undefined) checkPlanPath(options.out);
    return withDb(options, async (db, out) => {
      const progress = out.progress('reverting');
      if (options.out !== undefined) {
        const plan = await planRevert(db, selector, { mode: options.mode, onProgress: (_, done, total) => progress.update(done, total, 'planning') });
        progress.done();
        writePlanFile(options.out, plan);
        out.result({ plan: options.out, counts: plan.counts, conflicts: plan.conflicts }, () => [
          `saved to ${options.out} the plan of reverting`,
          `  ${describeSelector(selector)}:`,
          `  ${plan.steps.length} steps; ${plan.counts.conflicts} conflicts found now`,
          '',
          `apply it: wayback apply ${options.out}`,
        ]);
        return;
      }
      const result = await revert(db, selector, {
        mode: options.mode,
        dryRun: options.dryRun === true,
        onProgress: (phase, done, total) => progress.update(done, total, phase === 'plan' ? 'planning' : 'applying'),
      });
      progress.done();
      out.result(result, () => describe(result, selector, options.dryRun === true, out));
      if (result.conflicts.length > 0) finishWith(ExitCode.conflicts);
    });
  });

function selectorOf(options: {
  changeset?: string[];
  feature?: string;
  tx?: string;
  app?: string;
  since?: Date;
  until?: Date;
  table?: string;
}): Selector {
  const changesets = options.changeset ?? [];
  const chosen = [changesets.length > 0, options.feature !== undefined, options.tx !== undefined, options.app !== undefined];
  if (chosen.filter(Boolean).length === 0) throw new UsageError('say what to revert: --changeset id, --feature f, --tx n or --app name');
  if (chosen.filter(Boolean).length > 1) throw new UsageError('use one of --changeset, --feature, --tx, --app (narrow with --since/--until and --table)');
  if ((options.since !== undefined || options.until !== undefined) && options.feature === undefined && options.app === undefined) {
    throw new UsageError('--since/--until narrow --feature or --app; a change set is reverted whole');
  }
  checkWindow(options.since, options.until);
  if (options.tx !== undefined) checkTxid(options.tx);
  return {
    ...(changesets.length > 0 ? { changesets } : {}),
    ...(options.feature === undefined ? {} : { feature: options.feature }),
    ...(options.tx === undefined ? {} : { txid: Number(options.tx) }),
    ...(options.app === undefined ? {} : { app: options.app }),
    ...(options.since === undefined ? {} : { since: options.since }),
    ...(options.until === undefined ? {} : { until: options.until }),
    ...(options.table === undefined ? {} : { table: options.table }),
  };
}

function checkTxid(tx: string): void {
  const what = `--tx takes a transaction id (a number), not "${tx}"`;
  if (!/^\d+$/.test(tx)) throw new UsageError(`${what}; "wayback changesets --json" lists each change set's txids`);
  // A txid is a bigint in PostgreSQL, and a number here: past 2^53 it would silently name another one.
  if (BigInt(tx) > BigInt(Number.MAX_SAFE_INTEGER)) throw new UsageError(`${what}: no transaction id is that large; check the number`);
}

export function describe(result: RevertResult, selector: Selector | undefined, dryRun: boolean, out: Output): string[] {
  const { counts } = result;
  const what = `${plural(counts.cellsRestored, 'cell')} restored, ${plural(counts.rowsDeleted, 'row')} deleted, ${plural(counts.rowsReinserted, 'row')} re-inserted`;
  const target = selector === undefined ? 'the saved plan' : describeSelector(selector);
  const lines: string[] = [];
  if (dryRun) lines.push('dry run, nothing changed; reverting', `  ${target}`, `would leave: ${what}`);
  else if (result.applied) lines.push(out.paint('green', 'reverted'), `  ${target}:`, `  ${what}`);
  else if (result.mode === 'strict' && counts.conflicts > 0) lines.push(`strict mode: nothing was changed, because of ${plural(counts.conflicts, 'conflict')}`);
  else lines.push(`nothing to revert for ${target}: it is already undone`);
  if (result.conflicts.length > 0) {
    lines.push('', `${plural(result.conflicts.length, 'conflict')} left in place (a later write touched what it wrote):`);
    lines.push(...conflictTable(result.conflicts.slice(0, shownConflicts)));
    if (result.conflicts.length > shownConflicts) lines.push(`… ${result.conflicts.length - shownConflicts} more; --json lists them all`);
  }
  lines.push('');
  if (selector !== undefined && (dryRun || (result.mode === 'strict' && !result.applied && counts.conflicts > 0))) {
    lines.push(`apply it: wayback revert ${flagsOf(selector)}`);
  } else if (result.changeset !== null) {
    lines.push(`this revert is change set ${result.changeset}; to undo it:`, `  wayback revert --changeset ${result.changeset}`);
  }
  return lines;
}

function conflictTable(conflicts: readonly Conflict[]): string[] {
  return table(
    ['TABLE', 'KEY', 'COLUMN', 'KIND', 'BASE', 'WRITTEN', 'CURRENT'],
    conflicts.map((c) => [
      c.table.replace(/^public\./, ''),
      Object.entries(c.pk).map(([k, v]) => `${k}=${v}`).join(','),
      c.column ?? '(row)',
      c.kind,
      c.base ?? '∅',
      c.written ?? '∅',
      c.current ?? '∅',
    ]),
    // The kind says what to do about a conflict: never cut it short.
    { whole: [3] },
  );
}

function flagsOf(selector: Selector): string {
  return [
    ...(selector.changesets ?? []).map((id) => `--changeset ${id}`),
    selector.feature === undefined ? undefined : `--feature ${selector.feature}`,
    selector.txid === undefined ? undefined : `--tx ${selector.txid}`,
    selector.app === undefined ? undefined : `--app ${selector.app}`,
    selector.since === undefined ? undefined : `--since ${selector.since.toISOString()}`,
    selector.until === undefined ? undefined : `--until ${selector.until.toISOString()}`,
    selector.table === undefined ? undefined : `--table ${selector.table}`,
  ]
    .filter((part) => part !== undefined)
    .join(' ');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
