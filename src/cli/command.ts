import { Command, Option } from '@commander-js/extra-typings';
import { openDb, resolveDbUrl, type Db } from '../db/index.js';
import { Output } from './output.js';

export interface CommonOptions {
  readonly db?: string;
  readonly json?: boolean;
}

/** A command with the options every command takes (--db, --json, --debug) and an example in its help. */
export function command(name: string, summary: string, example: string) {
  return new Command(name)
    .description(summary)
    .addOption(new Option('--db <url>', 'database: postgres://…, pglite:<dir> or pglite:memory (default: $WAYBACK_DB, $DATABASE_URL, pglite:.wayback/db)'))
    .option('--json', 'print exactly one JSON document on stdout')
    .option('--debug', 'show the stack of an internal error')
    .addHelpText('after', `\nExample:\n  ${example}\n`);
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
