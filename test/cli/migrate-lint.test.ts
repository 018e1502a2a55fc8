// `wayback migrate lint`: the JSON document, exit codes and human text in 80 columns. lint needs no database.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { cleanEnv, expectFits, expectJsonError, expectNoColour, expectOneLineError, linesOf, oneJson, runCli } from '../support/cli.js';
import { repoRoot } from '../support/env.js';

const fixtures = join(repoRoot, 'test', 'migrate', 'lint-fixtures');
const realistic = relative(repoRoot, join(fixtures, 'realistic'));
const clean = relative(repoRoot, join(fixtures, 'clean'));

interface LintDocument {
  ok: boolean;
  findings: { file: string; line: number; rule: string; message: string; fix: string }[];
}

/** Runs the command object alone in a child process (lint-fixtures/lint-command.ts): its stdout and exit code. */
function runLint(...args: string[]): { code: number | null; stdout: string } {
  const harness = join(fixtures, 'lint-command.ts');
  const child = spawnSync(process.execPath, ['--import', 'tsx', harness, ...args], { cwd: repoRoot, env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
  assert.equal(child.stderr, '', 'nothing on stderr');
  return { code: child.status, stdout: child.stdout };
}

describe('wayback migrate lint, the command object', () => {
  it('--json prints { ok, findings } and exits 1 when there are findings', () => {
    const result = runLint('--dir', join(fixtures, 'realistic'), '--json');
    assert.equal(result.code, 1);
    const document = oneJson<LintDocument>(result.stdout);
    assert.deepEqual(Object.keys(document), ['ok', 'findings']);
    assert.equal(document.ok, false);
    assert.equal(document.findings.length, 6);
    for (const finding of document.findings) assert.deepEqual(Object.keys(finding), ['file', 'line', 'rule', 'message', 'fix']);
  });

  it('a clean folder: ok, no findings, exit 0', () => {
    const result = runLint('--dir', join(fixtures, 'clean'), '--json');
    assert.equal(result.code, 0);
    assert.deepEqual(oneJson(result.stdout), { ok: true, findings: [] });
  });

  it('human text: file:line rule, then why and fix indented, all in 80 columns, even for a long path', () => {
    const result = runLint('--dir', join(fixtures, 'realistic'));
    assert.equal(result.code, 1);
    expectFits(result.stdout);
    expectNoColour(result.stdout);
    const lines = result.stdout.split('\n');
    // An absolute path is too long to share a line with its rule: the rule gets a line of its own.
    const at = lines.indexOf('  not-null-without-default');
    assert.ok(at > 0, result.stdout);
    assert.match(lines[at - 1] ?? '', /:4$/);
    assert.match(lines[at + 1] ?? '', /^ {4}orders\.shipped_at is added NOT NULL/);
    assert.ok(lines.some((line) => line.startsWith('    fix: give it a constant default')));
    assert.match(linesOf(result.stdout).at(-1) ?? '', /^6 findings in 2 of 4 migrations; accept one with: -- wayback:allow <rule>$/);
  });
});

// Through the real CLI once `wayback migrate` lists lint (src/cli/commands/migrate/index.ts); until then
// `migrate lint --help` shows the group's help.

describe('wayback migrate lint, the CLI', () => {
  it('--json: exactly one document, exit 1 with findings, exit 0 without, nothing on stderr', async () => {
    const found = await runCli(['migrate', 'lint', '--dir', realistic, '--json']);
    assert.equal(found.code, 1, found.stderr);
    assert.equal(found.stderr, '');
    const document = oneJson<LintDocument>(found.stdout, found.stderr);
    assert.equal(document.ok, false);
    assert.deepEqual(
      document.findings.map((f) => `${f.file}:${f.line} ${f.rule}`),
      [
        `${realistic}/0003_order_status.up.sql:4 not-null-without-default`,
        `${realistic}/0003_order_status.up.sql:11 constraint-without-not-valid`,
        `${realistic}/0004_cleanup.up.sql:2 missing-lock-timeout`,
        `${realistic}/0004_cleanup.up.sql:3 rename`,
        `${realistic}/0004_cleanup.up.sql:5 index-without-concurrently`,
        `${realistic}/0004_cleanup.up.sql:9 enum-value-removal`,
      ],
    );
    const none = await runCli(['migrate', 'lint', '--dir', clean, '--json']);
    assert.equal(none.code, 0, none.stderr);
    assert.deepEqual(oneJson(none.stdout, none.stderr), { ok: true, findings: [] });
  });

  it('human text fits 80 columns and ends with the count', async () => {
    const result = await runCli(['migrate', 'lint', '--dir', realistic]);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, '');
    expectFits(result.stdout);
    assert.match(result.stdout, /^test\/migrate\/lint-fixtures\/realistic\/0004_cleanup\.up\.sql:2 missing-lock-timeout\n {4}ALTER TABLE waits/m);
    assert.match(linesOf(result.stdout).at(-1) ?? '', /^6 findings in 2 of 4 migrations/);
    const ok = await runCli(['migrate', 'lint', '--dir', clean]);
    assert.equal(ok.code, 0);
    assert.equal(ok.stdout, 'no findings in 3 migrations\n');
  });

  it('a folder that is not there: one line, exit 1; a wrong option: exit 2', async () => {
    expectOneLineError(await runCli(['migrate', 'lint', '--dir', 'no/such/folder']), 1, /no\/such\/folder: no such folder; point --dir/);
    expectJsonError(await runCli(['migrate', 'lint', '--dir', 'no/such/folder', '--json']), 1, 'migration-folder-invalid', /no such folder/);
    expectOneLineError(await runCli(['migrate', 'lint', '--dri', 'x']), 2, /unknown option '--dri'/);
  });

  it('--help shows examples of itself and fits 80 columns', async () => {
    const result = await runCli(['migrate', 'lint', '--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: wayback migrate lint /);
    assert.match(result.stdout, /^ {2}--dir <folder> /m);
    const examples = /^Examples:\n((?: {2}.*\n)+)/m.exec(result.stdout)?.[1] ?? '';
    for (const line of linesOf(examples)) assert.match(line, /^ {2}wayback migrate lint( |$)/);
    expectFits(result.stdout);
  });
});
