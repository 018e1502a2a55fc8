// Runs the built CLI (dist/cli/bin.js) as a child process, the way a user's shell or script does,
// and reads what it printed: exit code, stdout, stderr.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Db } from '../../src/db/index.js';
import { schemaSteps, schemaVersion } from '../../src/journal/index.js';
import type { TestDatabase } from './backends.js';
import { repoRoot } from './env.js';

export const cliPath = join(repoRoot, 'dist', 'cli', 'bin.js');

/** What a first `wayback init` applies, as `init --json` names the steps, and the rows it records. */
export const allSteps = schemaSteps.map((step) => `${step.id}_${step.name}`);
export const stepRows = schemaSteps.map(({ id, name }) => ({ id, name }));
export { schemaVersion };

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly cwd?: string;
  /** Added to a clean environment: this process' one without WAYBACK_DB, DATABASE_URL and colour settings. */
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

export interface RunningCli {
  readonly pid: number;
  readonly done: Promise<CliResult>;
}

/** The environment a CLI child starts from: nothing that would pick a database or colours for it. */
export function cleanEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['WAYBACK_DB', 'DATABASE_URL', 'NO_COLOR', 'FORCE_COLOR', 'NODE_TEST_CONTEXT', 'NODE_OPTIONS']) delete env[name];
  return { ...env, ...extra };
}

/** Starts `wayback <args>`; `done` settles when it has exited (it is killed after the timeout). */
export function startCli(args: readonly string[], options: CliOptions = {}): RunningCli {
  return startProcess(process.execPath, [cliPath, ...args], options);
}

/** Runs `wayback <args>` to the end. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).done;
}

/**
 * Runs `wayback <args>` with stdout and stderr on a pseudo-terminal (util-linux `script`), as in an
 * interactive shell. Both streams arrive interleaved in `stdout`, with \r\n line ends.
 */
export function runCliOnTty(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const line = [process.execPath, cliPath, ...args].map(shellQuote).join(' ');
  return startProcess('script', ['--quiet', '--return', '--command', line, '/dev/null'], options).done;
}

function startProcess(file: string, args: readonly string[], options: CliOptions): RunningCli {
  const child = spawn(file, args, {
    cwd: options.cwd ?? repoRoot,
    env: cleanEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${file}`);
  const pid = child.pid;
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`wayback ${args.join(' ')} did not finish in ${options.timeoutMs ?? 60_000} ms; killed`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // Say so plainly when the build under test disappeared (another `npm test` rebuilding dist/).
      if (stderr.includes(`Cannot find module '${cliPath}'`)) reject(new Error(`${cliPath} vanished while the tests ran: was dist/ rebuilt meanwhile?`));
      else resolve({ code, signal, stdout, stderr });
    });
  });
  return { pid, done };
}

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The non-empty lines of a stream's text. */
export function linesOf(text: string): string[] {
  return text.split(/\r?\n/).filter((line) => line.trim() !== '');
}

/** stdout as exactly one JSON document (an object), or a failed assertion saying why not. */
export function oneJson<T = Record<string, unknown>>(stdout: string, stderr = ''): T {
  assert.notEqual(stdout.trim(), '', `expected one JSON document on stdout, got nothing; stderr: ${stderr}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch (error) {
    assert.fail(`stdout is not exactly one JSON document (${String(error)}):\n${stdout}`);
  }
  assert.equal(typeof parsed, 'object', `expected a JSON object, got: ${stdout}`);
  assert.ok(parsed !== null && !Array.isArray(parsed), `expected a JSON object, got: ${stdout}`);
  return parsed as T;
}

/** The command succeeded: exit 0 and nothing on stderr. */
export function expectSuccess(result: CliResult): void {
  assert.equal(result.code, 0, `expected exit 0, got ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  assert.equal(result.stderr, '', `expected nothing on stderr, got: ${result.stderr}`);
}

/**
 * The command failed the way the CLI contract says: the exit code given, exactly one line on stderr
 * ("error: …", matching `pattern`), no "internal error", and nothing on stdout. Returns the message.
 */
export function expectOneLineError(result: CliResult, code: 1 | 2, pattern: RegExp): string {
  const shown = `\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
  assert.equal(result.code, code, `expected exit ${code}, got ${result.code}${shown}`);
  assert.equal(result.stdout, '', `expected nothing on stdout${shown}`);
  const lines = result.stderr.split('\n');
  assert.equal(lines.length, 2, `expected exactly one line on stderr${shown}`);
  assert.equal(lines[1], '', `expected stderr to end with one newline${shown}`);
  const line = lines[0] ?? '';
  assert.match(line, /^error: /);
  assert.doesNotMatch(line, /internal error/);
  assert.match(line, pattern);
  return line.slice('error: '.length);
}

/** Like expectOneLineError for a command run with --json: also exactly one {"error": {code, message}} on stdout. */
export function expectJsonError(result: CliResult, exit: 1 | 2, code: string, pattern: RegExp): void {
  const document = oneJson<{ error: { code: string; message: string } }>(result.stdout, result.stderr);
  assert.deepEqual(Object.keys(document), ['error']);
  assert.deepEqual(Object.keys(document.error).sort(), ['code', 'message']);
  assert.equal(document.error.code, code);
  assert.match(document.error.message, pattern);
  const message = expectOneLineError({ ...result, stdout: '' }, exit, pattern);
  assert.equal(document.error.message, message, 'the JSON message and the stderr line say the same');
}

/** No line longer than `width` characters (counted as code points, so "…" is one). */
export function expectFits(text: string, width = 80): void {
  for (const line of text.split(/\r?\n/)) {
    assert.ok([...line].length <= width, `line longer than ${width} columns (${[...line].length}):\n${line}`);
  }
}

const ansi = /\x1b\[[0-9;]*m/;

export function expectNoColour(text: string): void {
  assert.doesNotMatch(text, ansi, `found an ANSI colour code in:\n${JSON.stringify(text)}`);
}

export function hasColour(text: string): boolean {
  return ansi.test(text);
}

/** Opens the test database again, runs `fn`, and closes it, so a CLI child can open it next. */
export async function inspect<T>(t: TestDatabase, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await t.reopen();
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

export interface CaptureState {
  readonly tracked: unknown;
  readonly triggers: readonly string[];
  readonly functions: readonly string[];
}

/** Everything `wayback track` would change: tracked tables, capture triggers, capture functions. */
export async function captureState(db: Db): Promise<CaptureState> {
  const { rows } = await db.query<CaptureState>(
    `select (select coalesce(jsonb_agg(jsonb_build_object('table', schema_name || '.' || table_name, 'key', key_columns,
                                                        'active', untracked_at is null) order by id), '[]')
               from wayback.tracked_table) as tracked,
            (select coalesce(array_agg(tgrelid::regclass::text || ' ' || tgname order by 1), '{}')
               from pg_trigger where tgname like 'wayback%') as triggers,
            (select coalesce(array_agg(proname::text order by proname), '{}')
               from pg_proc where pronamespace = 'wayback'::regnamespace and proname like 'capture%') as functions`,
  );
  const state = rows[0];
  assert.ok(state !== undefined);
  return state;
}
