import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './env.js';

/** The committed dump of the installed wayback schema; CI fails when `wayback init` makes anything else. */
export const schemaDumpPath = join(repoRoot, 'test', 'journal', 'schema.sql');

/** pg_dump of the wayback schema, without the lines that change from run to run or version to version. */
export function dumpWaybackSchema(url: string): string {
  const raw = execFileSync('pg_dump', ['--schema-only', '--schema=wayback', '--no-owner', url], {
    encoding: 'utf8',
  });
  return `${raw
    .split('\n')
    .filter((line) => !line.startsWith('--') && !/^SET |^SELECT pg_catalog\.set_config|^\\(un)?restrict /.test(line))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}
