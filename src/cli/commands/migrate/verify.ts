import { Option } from '@commander-js/extra-typings';
import { passes, verifyMigrations, type MigrationVerdict, type VerifyDetail, type VerifyResult } from '../../../migrate/index.js';
import { command } from '../../command.js';
import { ExitCode, finishWith } from '../../exit-code.js';
import { Output } from '../../output.js';
import { cut, wrap } from '../../fit.js';

const width = 80;

/** `wayback migrate verify`: proves every down on a scratch database; never touches the database migrations run on. */
export const verifyCommand = command(
  'verify',
  'prove each down on a scratch database: up, down (schema and rows as before), up again',
  [
    'wayback migrate verify                       # on embedded PGlite, in memory',
    'wayback migrate verify --db postgres://localhost/postgres   # a temporary database there',
    'wayback migrate verify --json | jq \'.migrations[] | select(.status != "ok")\'',
  ],
  { db: 'a PostgreSQL server to create the scratch database on (default: embedded PGlite in memory; $WAYBACK_DB is not used)' },
)
  .addOption(new Option('--dir <folder>', 'the migrations folder').default('migrations'))
  .option('--column-order', 'a column must come back in its position too (a re-added column lands last)')
  .action(async (options) => {
    const out = new Output({ json: options.json === true });
    const progress = out.progress('verifying');
    let result: VerifyResult;
    try {
      result = await verifyMigrations({
        dir: options.dir,
        ...(options.db === undefined ? {} : { server: options.db }),
        columnOrder: options.columnOrder === true,
        onProgress: ({ done, total, id }) => progress.update(done, total, id),
      });
    } finally {
      progress.done();
    }
    out.result({ ok: result.ok, migrations: result.migrations.map(({ id, status, details }) => ({ id, status, details })) }, () => describe(result));
    if (!result.ok) finishWith(ExitCode.error);
  });

function describe(result: VerifyResult): string[] {
  const failed = result.migrations.filter((m) => !passes(m.status));
  const lines = result.migrations.flatMap((m) => [`${m.status.padEnd(13)} ${m.id}`, ...notes(m)]);
  const count = result.migrations.length;
  const seconds = result.seconds.toFixed(1);
  lines.push(
    '',
    failed.length === 0
      ? `${count} migration${count === 1 ? '' : 's'} verified: every down brings back the schema and the rows`
      : `${failed.length} of ${count} migrations failed verification`,
    cut(`(${seconds} s on ${result.scratch})`, width),
  );
  return lines;
}

/** The details under their migration, indented, each line cut at 80 columns: --json has them whole. */
function notes(verdict: MigrationVerdict): string[] {
  return verdict.details.flatMap((detail) => {
    const [first = '', ...more] = note(detail);
    return [...wrap(first, '    ', '      '), ...more.map((line) => cut(`      ${line}`, width))];
  });
}

function note(detail: VerifyDetail): string[] {
  switch (detail.kind) {
    case 'schema-diff': {
      const after = detail.phase === 'down' ? 'after the down' : 'after the up again';
      if (detail.change !== 'changed') return [`${after}: ${detail.object} is ${detail.change}`];
      const [expected, actual] = fromFirstDifference(show(detail.expected), show(detail.actual));
      return [`${after}: ${detail.object}, ${detail.attribute ?? ''}`, `expected ${expected}`, `found    ${actual}`];
    }
    default:
      return [oneLine(detail)];
  }
}

function oneLine(detail: Exclude<VerifyDetail, { kind: 'schema-diff' }>): string {
  switch (detail.kind) {
    case 'data-lost':
      return `after the down: ${detail.rows} of ${detail.of} rows of ${detail.table} are gone or changed`;
    case 'down-failed':
    case 'up-failed':
    case 'up-again-failed': {
      const where = detail.file === null ? '' : ` at ${detail.file}${detail.line === null ? '' : ` line ${detail.line}`}`;
      const what = { 'down-failed': 'the down', 'up-failed': 'the up', 'up-again-failed': 'the up, run again after the down,' }[detail.kind];
      return `${what} failed${where}: ${detail.error}`;
    }
    case 'seed-refused':
      return `(sample rows refused by ${detail.table}: ${detail.error}; skipped)`;
    case 'irreversible':
      return `declared irreversible: ${detail.reason}`;
    case 'lossy':
      return `declared lossy: ${detail.declared}`;
    case 'missing-down':
      return `no down: ${detail.hint}`;
    case 'not-verified':
      return detail.reason;
    case 'outside-transaction':
      return detail.note;
  }
}

function show(value: unknown): string {
  return (typeof value === 'string' ? value : JSON.stringify(value)).replace(/\s+/g, ' ').trim();
}

/** Long texts (a function's definition) shown from a little before where they part, so the difference is on screen. */
function fromFirstDifference(expected: string, actual: string): [string, string] {
  let same = 0;
  while (same < expected.length && expected[same] === actual[same]) same++;
  const start = Math.max(0, same - 20);
  if (start < 10) return [expected, actual];
  return [`…${expected.slice(start)}`, `…${actual.slice(start)}`];
}

