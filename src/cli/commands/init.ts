import { installSchema, type InstallResult } from '../../journal/index.js';
import { command, withDb } from '../command.js';

export const initCommand = command('init', 'install or upgrade the wayback schema (idempotent)', [
  'wayback init                        # the embedded database in .wayback/db',
  'wayback init --db postgres://postgres@localhost/app   # as a superuser',
])
  .action((options) =>
    withDb(options, async (db, out) => {
      const result = await installSchema(db);
      out.result({ url: db.url, applied: result.applied, version: result.version }, () => describe(db.url, result));
    }),
  );

export function describe(url: string, result: InstallResult): string[] {
  return [
    result.applied.length === 0
      ? `wayback schema already up to date (step ${result.version}) in ${url}`
      : `wayback schema installed (now at step ${result.version}) in`,
    ...(result.applied.length === 0 ? [] : [`  ${url}`, `  steps applied: ${stepRange(result.applied)}`]),
    ...(result.applied.length === 0 ? [] : ['next: wayback track <table…>   (or: wayback track --all)']),
  ];
}

/** The steps applied, in one short phrase whatever their number: `1_journal to 8_migrate (8 steps)`. */
function stepRange(applied: readonly string[]): string {
  return applied.length === 1 ? (applied[0] ?? '') : `${applied[0]} to ${applied.at(-1)} (${applied.length} steps)`;
}
