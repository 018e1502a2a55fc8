import { Command, Help, Option, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { openDb, resolveDbUrl, type Db } from '../db/index.js';
import { Output } from './output.js';

export interface CommonOptions {
  readonly db?: string;
  readonly json?: boolean;
}

/** The options every command takes; its help lists them after the command's own. */
const common = new Set(['--db', '--json', '--debug']);

/** DESIGN.md's exit codes, as each command's help ends; 3 only where conflicts can be left. */
const exitCodes = {
  plain: 'Exit codes: 0 done; 1 error, nothing changed; 2 usage.',
  conflicts: 'Exit codes: 0 done; 3 done, conflicts left in place (with --mode strict:\n  nothing applied); 1 error, nothing changed; 2 usage.',
};

export interface CommandHelp {
  /** Whether the command can finish with conflicts left (exit 3). */
  readonly conflicts?: boolean;
  /** What --db means for this command, when not the database it works on. */
  readonly db?: string;
}

/**
 * A command with the options every command takes (--db, --json, --debug), its examples (each a whole
 * command line, with an optional `# comment`) and its exit codes in its help.
 */
export function command(name: string, summary: string, examples: string | readonly string[], help: CommandHelp = {}) {
  const lines = typeof examples === 'string' ? [examples] : examples;
  return new Command(name)
    .description(summary)
    .configureHelp({ visibleOptions: commonOptionsLast })
    .addOption(new Option('--db <url>', help.db ?? 'database: postgres://…, pglite:<dir> or pglite:memory (default: $WAYBACK_DB, $DATABASE_URL, pglite:.wayback/db)'))
    .option('--json', 'print exactly one JSON document on stdout')
    .option('--debug', 'show the stack of an internal error')
    .addHelpText('after', () => {
      const heading = lines.length === 1 ? 'Example' : 'Examples';
      const codes = help.conflicts === true ? exitCodes.conflicts : exitCodes.plain;
      // commander ends the text with a newline of its own.
      return `\n${heading}:\n${lines.map((line) => `  ${line}\n`).join('')}\n${codes}`;
    });
}

// The help lists what is particular to a command first; the options every command shares come after.
function commonOptionsLast(this: Help, cmd: CommandUnknownOpts): Option[] {
  const rank = (option: Option) => (option.long === '--help' ? 2 : common.has(option.long ?? '') ? 1 : 0);
  // sort is stable: within a rank, options keep the order they were declared in.
  return (Help.prototype.visibleOptions.call(this, cmd) as Option[]).sort((a, b) => rank(a) - rank(b));
}

/** Opens the database the options name, runs `work`, and always closes it, so no handle keeps Node alive. */
export async function withDb<T>(options: CommonOptions, work: (db: Db, out: Output) => Promise<T>): Promise<T> {
  const out = new Output({ json: options.json === true });
  const db = await openDb(resolveDbUrl(options.db), { applicationName: 'wayback-cli' });
  try {
    return await work(db, out);
  } finally {
    await db.close();
  }
}
