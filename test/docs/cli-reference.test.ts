// docs/cli.md is generated from the command definitions (scripts/cli-reference.ts); this fails when a
// command, option, example or exit code changed and the reference was not generated again.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { cliReferencePath, renderCliReference } from '../../scripts/cli-reference.js';
import { runCli } from '../support/cli.js';

it('docs/cli.md is what the command definitions say (if not: npm run docs:cli)', () => {
  const fresh = renderCliReference();
  const committed = readFileSync(cliReferencePath, 'utf8');
  if (committed !== fresh) {
    const a = committed.split('\n');
    const b = fresh.split('\n');
    const line = a.findIndex((text, i) => text !== b[i]);
    assert.fail(`docs/cli.md is stale from line ${line + 1} (has ${JSON.stringify(a[line])}, the commands say ${JSON.stringify(b[line])}): run npm run docs:cli`);
  }
});

it("docs/cli.md shows each command's help as the built CLI prints it", async () => {
  const committed = readFileSync(cliReferencePath, 'utf8');
  for (const name of ['init', 'revert']) {
    const result = await runCli([name, '--help'], { env: { COLUMNS: '80' } });
    assert.equal(result.code, 0);
    assert.ok(committed.includes(`## wayback ${name}\n\n\`\`\`text\n${result.stdout.trimEnd()}\n\`\`\``), `the section of wayback ${name}`);
  }
});
