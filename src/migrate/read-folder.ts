import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Queryable } from '../db/index.js';
import { firstLineOf } from '../errors.js';
import { MigrationFolderError, MigrationModuleError, MissingDownError } from './errors.js';
import { compareMigrations, type Migration, type MigrationStep, type SqlStep } from './migration.js';
import { refusedInTransactionAs } from './outside-transaction.js';
import { splitStatements } from './split-statements.js';

const sqlFileName = /^(\d+)_([\w-]+)\.(up|down)\.sql$/;
const moduleFileName = /^(\d+)_([\w-]+)\.(js|mjs|cjs|ts|mts)$/;
const marker = /^\s*--\s*wayback:([\w-]+)[ \t]*(.*?)\s*$/;
const markers = new Set(['irreversible', 'lossy', 'no-transaction']);

/**
 * Reads every migration in `dir`, in order. Never skips a file silently: a name that is neither a SQL
 * pair's half nor a module is an error naming it (only dotfiles such as .gitkeep are passed over). A
 * migration without a down is an error unless it declares itself irreversible. TypeScript modules load
 * only when wayback itself runs under tsx (`node --import tsx`); otherwise compile them to .js.
 * `verify` reads with `missingDowns: 'allow'`, to report each such migration instead of the folder.
 */
export async function readMigrations(dir: string, options: { missingDowns?: 'error' | 'allow' } = {}): Promise<Migration[]> {
  const allowMissing = options.missingDowns === 'allow';
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such folder; create it with "wayback migrate new <name>", or point --dir at yours' : String((error as Error).message);
    throw new MigrationFolderError(dir, null, reason, { cause: error });
  }
  const pairs = new Map<string, { number: string; name: string; up?: string; down?: string }>();
  const modules = new Map<string, { number: string; name: string; file: string }>();
  for (const file of names) {
    if (file.startsWith('.')) continue;
    if (statSync(join(dir, file)).isDirectory()) throw new MigrationFolderError(dir, file, 'a folder inside the migrations folder; move it out');
    const sql = sqlFileName.exec(file);
    const module = moduleFileName.exec(file);
    if (sql !== null) {
      const [, number = '', name = '', direction] = sql;
      const id = `${number}_${name}`;
      const pair = pairs.get(id) ?? { number, name };
      pair[direction === 'up' ? 'up' : 'down'] = file;
      pairs.set(id, pair);
    } else if (module !== null) {
      const [, number = '', name = ''] = module;
      const id = `${number}_${name}`;
      const taken = modules.get(id);
      if (taken !== undefined) throw new MigrationFolderError(dir, file, `a second module for migration ${id} (beside ${taken.file})`);
      modules.set(id, { number, name, file });
    } else {
      throw new MigrationFolderError(dir, file, 'not a migration: name it NNNN_name.up.sql / NNNN_name.down.sql, or NNNN_name.js/.mjs/.ts exporting up and down');
    }
  }
  const migrations: Migration[] = [];
  for (const [id, pair] of pairs) {
    if (modules.has(id)) throw new MigrationFolderError(dir, modules.get(id)?.file ?? id, `migration ${id} is both a SQL pair and a module; keep one`);
    if (pair.up === undefined) throw new MigrationFolderError(dir, pair.down ?? id, `a down without its up (${id}.up.sql)`);
    migrations.push(readSqlPair(dir, id, pair.number, pair.name, pair.up, pair.down, allowMissing));
  }
  for (const [id, module] of modules) migrations.push(await readModule(dir, id, module.number, module.name, module.file, allowMissing));
  migrations.sort(compareMigrations);
  for (let i = 1; i < migrations.length; i++) {
    const [a, b] = [migrations[i - 1], migrations[i]];
    if (a !== undefined && b !== undefined && BigInt(a.number) === BigInt(b.number)) {
      throw new MigrationFolderError(dir, b.id, `two migrations numbered ${b.number} (${a.id} and ${b.id}); renumber one`);
    }
  }
  return migrations;
}

function readSqlPair(dir: string, id: string, number: string, name: string, upFile: string, downFile: string | undefined, allowMissing: boolean): Migration {
  const upText = readFileSync(join(dir, upFile), 'utf8');
  const downText = downFile === undefined ? null : readFileSync(join(dir, downFile), 'utf8');
  const upMarks = readMarkers(dir, upFile, upText);
  const downMarks = downText === null || downFile === undefined ? new Map<string, string>() : readMarkers(dir, downFile, downText);
  if (downMarks.has('irreversible')) throw new MigrationFolderError(dir, downFile ?? id, 'declare "wayback:irreversible" in the up file, not the down');
  const irreversible = upMarks.get('irreversible') ?? null;
  if (irreversible !== null && downText !== null) {
    throw new MigrationFolderError(dir, upFile, `declares itself irreversible but ${downFile} exists; remove one of them`);
  }
  if (irreversible === null && downText === null && !allowMissing) throw new MissingDownError(id, 'sql');
  const lossy = downMarks.get('lossy') ?? upMarks.get('lossy') ?? null;
  return {
    kind: 'migration',
    id,
    number,
    name,
    format: 'sql',
    checksum: sha256(upText),
    up: sqlStep(upFile, upText, upMarks),
    down: downText === null || downFile === undefined ? null : sqlStep(downFile, downText, downMarks),
    storedDown: downText,
    irreversible,
    lossy,
  };
}

/** A SQL down read back from the history, for a migration whose files are gone. */
export function storedSqlStep(text: string): SqlStep {
  return sqlStep('history', text, readMarkers('history', 'history', text));
}

function sqlStep(file: string, text: string, marks: ReadonlyMap<string, string>): SqlStep {
  const statements = splitStatements(text);
  let outsideTransaction: string | null = marks.has('no-transaction') ? 'marked "-- wayback:no-transaction"' : null;
  for (const statement of statements) {
    if (outsideTransaction !== null) break;
    const refused = refusedInTransactionAs(statement.text);
    if (refused !== null) outsideTransaction = `${refused} at line ${statement.line} cannot run in a transaction`;
  }
  return { kind: 'sql', file, text, statements, outsideTransaction };
}

function readMarkers(dir: string, file: string, text: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = marker.exec(line);
    if (match === null) continue;
    const [, word = '', reason = ''] = match;
    if (!markers.has(word)) throw new MigrationFolderError(dir, file, `unknown marker "wayback:${word}"; known: ${[...markers].join(', ')}`);
    if (word !== 'no-transaction' && reason === '') throw new MigrationFolderError(dir, file, `"wayback:${word}" needs a reason after it`);
    found.set(word, reason);
  }
  return found;
}

async function readModule(dir: string, id: string, number: string, name: string, file: string, allowMissing: boolean): Promise<Migration> {
  const path = resolve(dir, file);
  const source = readFileSync(path, 'utf8');
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ERR_UNKNOWN_FILE_EXTENSION'
        ? 'TypeScript migrations load only when wayback runs under tsx (node --import tsx …); or compile them to .js'
        : firstLineOf(error);
    throw new MigrationModuleError(file, reason, { cause: error });
  }
  // A CommonJS or transpiled module may put its exports on `default`.
  const exports = typeof loaded['up'] !== 'function' && typeof loaded['default'] === 'object' && loaded['default'] !== null
    ? (loaded['default'] as Record<string, unknown>)
    : loaded;
  const { up, down, irreversible, lossy } = exports;
  if (typeof up !== 'function') throw new MigrationModuleError(file, 'it exports no up(db) function');
  if (down !== undefined && typeof down !== 'function') throw new MigrationModuleError(file, 'its down export is not a function');
  for (const [key, value] of [['irreversible', irreversible], ['lossy', lossy]] as const) {
    if (value !== undefined && (typeof value !== 'string' || value.trim() === '')) {
      throw new MigrationModuleError(file, `export ${key} as a string saying why, e.g. export const ${key} = "…"`);
    }
  }
  if (typeof down === 'function' && irreversible !== undefined) throw new MigrationModuleError(file, 'it exports both down and irreversible; keep one');
  if (typeof down !== 'function' && irreversible === undefined && !allowMissing) throw new MissingDownError(id, 'module');
  const step = (fn: unknown): MigrationStep => ({ kind: 'module', file, run: (db: Queryable) => Promise.resolve((fn as (db: Queryable) => unknown)(db)) });
  return {
    kind: 'migration',
    id,
    number,
    name,
    format: 'module',
    checksum: sha256(source),
    up: step(up),
    down: typeof down === 'function' ? step(down) : null,
    storedDown: typeof down === 'function' ? source : null,
    irreversible: typeof irreversible === 'string' ? irreversible : null,
    lossy: typeof lossy === 'string' ? lossy : null,
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
