import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MigrationFolderError } from '../errors.js';
import type { Finding } from './finding.js';
import { KnownSchema } from './known-schema.js';
import { lintSql } from './lint-sql.js';

export interface LintReport {
  /** No findings. */
  readonly ok: boolean;
  /** The migrations read, by id (the file name without `.up.sql`), in the order they apply. */
  readonly migrations: readonly string[];
  readonly findings: readonly Finding[];
}

/**
 * Lints every `*.up.sql` of a migrations folder, in the order they apply, so that a statement is judged
 * against what the earlier migrations created. Findings name the file as `dir` joined with its name.
 * Reads only; never touches a database.
 */
export async function lintFolder(dir = 'migrations'): Promise<LintReport> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((entry) => entry.isFile() && entry.name.endsWith('.up.sql')).map((entry) => entry.name);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such folder; point --dir at your migrations folder' : String((error as Error).message);
    throw new MigrationFolderError(dir, null, reason, { cause: error });
  }
  // The order the runner applies them in (readMigrations sorts the names the same way).
  names.sort();
  const schema = new KnownSchema();
  const findings: Finding[] = [];
  for (const name of names) {
    const file = join(dir, name);
    findings.push(...(await lintSql(await readFile(file, 'utf8'), file, schema)));
  }
  return { ok: findings.length === 0, migrations: names.map((name) => name.slice(0, -'.up.sql'.length)), findings };
}
