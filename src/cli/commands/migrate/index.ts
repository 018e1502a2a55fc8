import { Command, CommanderError, Option, type CommandUnknownOpts } from '@commander-js/extra-typings';
import {
  migrateDown,
  migrateUp,
  migrationStatus,
  newMigration,
  type KeptData,
  type MigrateResult,
  type MigrationRun,
  type MigrationStatus,
} from '../../../migrate/index.js';
import { command, withDb } from '../../command.js';
import { UsageError } from '../../errors.js';
import { Output, table } from '../../output.js';
import { usageMessage } from '../../usage-message.js';
import { lintCommand } from './lint.js';
import { verifyCommand } from './verify.js';

const dirOption = () => new Option('--dir <folder>', 'the migrations folder').default('migrations');
const lockWaitOption = () =>
  new Option('--lock-wait <seconds>', 'how long to wait for another runner holding the migration lock').argParser(seconds).default(60);

const upCommand = command('up', 'apply pending migrations in order, each in its own transaction as change set migration:<id>', [
  'wayback migrate up                      # every pending migration in migrations/',
  'wayback migrate up --to 0007_add_email --dry-run   # print the SQL it would run',
])
  .addOption(dirOption())
  .option('--to <id>', 'apply up to and including this migration')
  .option('--dry-run', 'print the SQL that would run; change nothing')
  .option('--out-of-order', 'also apply pending migrations numbered below the newest applied one')
  .addOption(lockWaitOption())
  .action((options) =>
    withDb(options, async (db, out) => {
      const result = await migrateUp(db, {
        dir: options.dir,
        ...optional('to', options.to),
        dryRun: options.dryRun === true,
        outOfOrder: options.outOfOrder === true,
        ...waiting(out, options.lockWait),
      });
      out.result(document(result), () => describeRuns(result, options.dir));
    }),
  );

const downCommand = command('down', 'roll back applied migrations, newest first (default: one)', [
  'wayback migrate down                    # the newest applied migration',
  'wayback migrate down --steps 3 --dry-run   # print the SQL of the three newest downs',
  'wayback migrate down --to 0004_orders   # everything applied after 0004_orders',
])
  .addOption(dirOption())
  .option('--to <id>', 'roll back every migration applied after this one (it stays applied)')
  .addOption(new Option('--steps <n>', 'how many migrations to roll back').argParser(positive))
  .option('--dry-run', 'print the SQL that would run; change nothing')
  .addOption(lockWaitOption())
  .action((options) => {
    if (options.to !== undefined && options.steps !== undefined) throw new UsageError('give --to or --steps, not both');
    return withDb(options, async (db, out) => {
      const result = await migrateDown(db, {
        dir: options.dir,
        ...optional('to', options.to),
        ...optional('steps', options.steps),
        dryRun: options.dryRun === true,
        ...waiting(out, options.lockWait),
      });
      out.result(document(result), () => describeRuns(result, options.dir));
    });
  });

const statusCommand = command('status', 'list the migrations: applied, pending, edited since applied, or applied with the file gone', [
  'wayback migrate status --dir db/migrations',
])
  .addOption(dirOption())
  .action((options) =>
    withDb(options, async (db, out) => {
      const status = await migrationStatus(db, { dir: options.dir });
      out.result({ dir: status.dir, migrations: status.migrations.map(({ kind: _kind, ...entry }) => entry) }, () => describeStatus(status));
    }),
  );

const newCommand = command('new', 'write the next-numbered pair NNNN_<name>.up.sql / .down.sql (the down fails until written)', [
  'wayback migrate new add_email_to_customer',
])
  .argument('<name>', 'what the migration does, in a few words joined by _')
  .addOption(dirOption())
  .action((name, options) => {
    // No database: it only writes files.
    const out = new Output({ json: options.json === true });
    const created = newMigration(options.dir, name);
    out.result({ id: created.id, files: created.files }, () => [
      ...created.files.map((file) => `wrote ${file}`),
      'next: write the up and the down (the down raises until you do), then: wayback migrate up',
    ]);
  });

/** `wayback migrate …`: the runner's subcommands. */
export const migrateCommand = new Command('migrate')
  .description('reversible migrations: SQL pairs or modules, applied and rolled back as change sets')
  .addHelpText('after', '\nExample:\n  wayback migrate new create_orders && wayback migrate up && wayback migrate status\n')
  .addCommand(newCommand)
  .addCommand(upCommand)
  .addCommand(downCommand)
  .addCommand(statusCommand)
  .addCommand(verifyCommand)
  .addCommand(lintCommand)
  // Without a subcommand commander would print the help and a stray "(outputHelp)" line: say what is missing instead.
  .argument('[subcommand]')
  .action((subcommand) => {
    const known = 'new, up, down, status, verify, lint';
    throw new UsageError(
      subcommand === undefined
        ? `name a subcommand (${known}); wayback migrate --help lists them`
        : `unknown subcommand "${subcommand}" (known: ${known}); wayback migrate --help lists them`,
    );
  });

// run() in main.ts turns the usage errors of top-level commands into one line and exit 2; these sit one
// level down, so they do the same here: one line naming "wayback migrate <sub>", as a UsageError.
for (const sub of migrateCommand.commands as CommandUnknownOpts[]) {
  sub.configureOutput({ outputError: () => undefined });
  sub.exitOverride((error: CommanderError) => {
    if (error.exitCode === 0) throw error;
    throw new UsageError(usageMessage(error, sub).replaceAll(`wayback ${sub.name()}`, `wayback migrate ${sub.name()}`), { cause: error });
  });
}

function document(result: MigrateResult) {
  return { direction: result.direction, dryRun: result.dryRun, migrations: result.migrations.map(({ kind: _kind, ...run }) => run) };
}

function describeRuns(result: MigrateResult, dir: string): string[] {
  if (result.migrations.length === 0) {
    return [result.direction === 'up' ? `nothing to apply: every migration in ${dir} is applied` : 'nothing to roll back: no migration is applied'];
  }
  const verb = result.dryRun ? (result.direction === 'up' ? 'would apply' : 'would roll back') : result.direction === 'up' ? 'applied' : 'rolled back';
  return result.migrations.flatMap((run) => [
    `${verb} ${run.id}${run.changeset === null ? '' : ` as change set ${run.changeset}`}`,
    ...notes(run),
    ...(run.sql ?? (result.dryRun ? ['  (a module: its function runs; no SQL to print)'] : [])).map((sql) => indent(sql)),
  ]);
}

function notes(run: MigrationRun): string[] {
  return [
    ...(run.outsideTransaction === null ? [] : [`  outside a transaction: ${run.outsideTransaction}`]),
    ...(run.source === 'history' ? ['  its file is gone: the down was read from the history'] : []),
    ...(run.lossy === null ? [] : [`  lossy: ${run.lossy}`]),
    ...run.kept.map((kept) => `  ${keptNote(run.direction, kept)}`),
  ];
}

function keptNote(direction: 'up' | 'down', kept: KeptData): string {
  const rows = `${kept.rows} row${kept.rows === 1 ? '' : 's'} of ${kept.target}`;
  if (kept.problem !== null) return direction === 'up' ? `not kept: ${rows}: ${kept.problem}` : `not restored: ${rows}: ${kept.problem}; they wait in ${kept.keptIn}`;
  return direction === 'up' ? `kept ${rows} in ${kept.keptIn}, for the down to restore` : `restored ${rows}`;
}

function describeStatus(status: MigrationStatus): string[] {
  if (status.migrations.length === 0) return [`no migrations in ${status.dir}; start one with: wayback migrate new <name>`];
  const rows = status.migrations.map((m) => [
    m.id,
    m.state,
    m.appliedAt?.replace(/\.\d+Z$/, 'Z') ?? '',
    m.irreversible === null ? (m.lossy === null ? '' : 'lossy down') : 'irreversible',
  ]);
  return table(['migration', 'state', 'applied at', 'down'], rows, { whole: [0] });
}

function indent(sql: string): string {
  return sql
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

function waiting(out: Output, lockWaitSeconds: number) {
  return { waitMs: lockWaitSeconds * 1000, onWait: (holder: string) => out.warn(`waiting for the migration lock, held by ${holder}`) };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function positive(text: string): number {
  if (!/^[1-9]\d*$/.test(text)) throw new UsageError(`--steps takes a whole number of at least 1, not "${text}"`);
  return Number(text);
}

function seconds(text: string): number {
  if (!/^\d+(\.\d+)?$/.test(text)) throw new UsageError(`--lock-wait takes seconds, not "${text}"`);
  return Number(text);
}
