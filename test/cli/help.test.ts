import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectFits, expectJsonError, expectOneLineError, linesOf, oneJson, runCli } from '../support/cli.js';

const commands = ['init', 'track', 'untrack', 'status', 'changesets', 'show', 'revert', 'apply'];

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
    it(`wayback ${name} --help shows its options and an example of it`, async () => {
      const result = await runCli([name, '--help']);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, '');
      assert.match(result.stdout, new RegExp(`^Usage: wayback ${name} `));
      assert.match(result.stdout, /^ {2}--db <url> /m);
      assert.match(result.stdout, /^ {2}--json /m);
      assert.match(result.stdout, new RegExp(`^Example:\\n {2}wayback ${name}\\b`, 'm'));
      expectFits(result.stdout);
      const viaHelp = await runCli(['help', name]);
      assert.equal(viaHelp.code, 0);
      assert.equal(viaHelp.stdout, result.stdout, `"wayback help ${name}" shows the same help`);
    });
  }

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

  it('an unknown option of a command exits 2 with one line, and --json still gets one document', async () => {
    for (const name of commands) {
      expectOneLineError(await runCli([name, '--frobnicate']), 2, /^error: unknown option '--frobnicate'$/);
      expectJsonError(await runCli([name, '--frobnicate', '--json']), 2, 'usage', /unknown option '--frobnicate'/);
    }
  });

  it('wayback --version prints the version', async () => {
    const result = await runCli(['--version']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^\d+\.\d+\.\d+\n$/);
  });
});
