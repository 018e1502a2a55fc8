import assert from 'node:assert/strict';
import { accessSync, constants } from 'node:fs';
import { describe, it } from 'node:test';
import { cliPath, expectFits, expectJsonError, expectOneLineError, linesOf, oneJson, runCli } from '../support/cli.js';

const commands = ['init', 'track', 'untrack', 'status', 'changesets', 'show', 'revert', 'apply'];
/** The commands that can finish with conflicts left in place, exit 3. */
const leavingConflicts = ['revert', 'apply'];

/** The option flags a help text lists, in order ("--db", "-h"…). */
const optionsListed = (help: string): string[] =>
  [...(help.split(/^Options:\n/m)[1] ?? '').matchAll(/^ {2}(?:-\w, )?(--?[\w-]+)/gm)].map((m) => m[1] ?? '');

describe('wayback help and usage', () => {
  it('wayback --help lists every command and ends with an example', async () => {
    const result = await runCli(['--help']);
    assert.equal(result.code, 0);
    assert.equal(result.stderr, '');
    assert.match(result.stdout, /^Usage: wayback \[options\] \[command\]/);
    for (const name of commands) assert.match(result.stdout, new RegExp(`^  ${name} `, 'm'), `lists ${name}`);
    assert.match(result.stdout, /^Example:\n {2}wayback \S/m);
    expectFits(result.stdout);
  });

  for (const name of commands) {
    it(`wayback ${name} --help shows its options, examples of it and its exit codes`, async () => {
      const result = await runCli([name, '--help']);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, '');
      assert.match(result.stdout, new RegExp(`^Usage: wayback ${name} `));
      assert.match(result.stdout, /^ {2}--db <url> /m);
      assert.match(result.stdout, /^ {2}--json /m);
      // Every example is a whole command line of this command, as it would be typed.
      const examples = /^Examples?:\n((?: {2}.*\n)+)/m.exec(result.stdout)?.[1];
      assert.ok(examples !== undefined, `no examples in:\n${result.stdout}`);
      for (const line of linesOf(examples)) assert.match(line, new RegExp(`^ {2}wayback ${name}( |$)`), 'an example of this command');
      assert.doesNotMatch(result.stdout, /\(default: \[\]\)|\(default: "\d+"\)/, 'defaults read as values, not as JSON');
      const codes = /^Exit codes: [\s\S]*/m.exec(result.stdout)?.[0] ?? '';
      assert.match(codes, /0 done;[\s\S]*1 error, nothing changed; 2 usage\.\n$/, 'the help ends with the exit codes');
      if (leavingConflicts.includes(name)) assert.match(codes, /3 done, conflicts left in place/);
      else assert.doesNotMatch(codes, /\b3\b/);
      expectFits(result.stdout);
      const viaHelp = await runCli(['help', name]);
      assert.equal(viaHelp.code, 0);
      assert.equal(viaHelp.stdout, result.stdout, `"wayback help ${name}" shows the same help`);
    });
  }

  it("each command's help lists its own options first, then --db, --json, --debug, then --help", async () => {
    for (const name of commands) {
      const listed = optionsListed((await runCli([name, '--help'])).stdout);
      assert.deepEqual(listed.slice(-4), ['--db', '--json', '--debug', '--help'], `${name}: ${listed.join(' ')}`);
    }
    assert.deepEqual(optionsListed((await runCli(['revert', '--help'])).stdout).slice(0, 2), ['--changeset', '--feature'], 'declared order');
  });

  it('wayback with no arguments prints the usage on stderr and exits 2', async () => {
    const result = await runCli([]);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^Usage: wayback /);
    assert.match(result.stderr, /^Example:/m);
  });

  it('an unknown command exits 2 and says which', async () => {
    const result = await runCli(['frobnicate']);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.deepEqual(linesOf(result.stderr), ["error: unknown command 'frobnicate'", '(run with --help for usage)']);
    const json = await runCli(['frobnicate', '--json']);
    assert.equal(json.code, 2);
    assert.deepEqual(oneJson(json.stdout), { error: { code: 'usage', message: "unknown command 'frobnicate'" } });
  });

  it('an unknown option of a command exits 2 with one line saying where the options are, and --json still gets one document', async () => {
    for (const name of commands) {
      const hint = `; wayback ${name} --help lists the options`;
      expectOneLineError(await runCli([name, '--frobnicate']), 2, new RegExp(`^error: unknown option '--frobnicate'${hint}$`));
      expectJsonError(await runCli([name, '--frobnicate', '--json']), 2, 'usage', new RegExp(`unknown option '--frobnicate'${hint}$`));
    }
  });

  it('a missing option value and an extra argument exit 2 with one line and a hint', async () => {
    expectOneLineError(
      await runCli(['changesets', '--limit']),
      2,
      /^error: option '--limit <n>' argument missing; wayback changesets --help lists the options$/,
    );
    expectOneLineError(
      await runCli(['status', 'extra']),
      2,
      /^error: too many arguments for 'status'\. Expected 0 arguments but got 1; usage: wayback status \[options\]$/,
    );
    expectJsonError(await runCli(['init', 'extra', '--json']), 2, 'usage', /too many arguments for 'init'.*; usage: wayback init \[options\]$/);
  });

  it('the built bin is executable, so `npx wayback` runs it in a checkout', () => {
    accessSync(cliPath, constants.X_OK);
  });

  it('wayback --version prints the version', async () => {
    const result = await runCli(['--version']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^\d+\.\d+\.\d+\n$/);
  });
});
