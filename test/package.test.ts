import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { it } from 'node:test';
import { repoRoot } from './support/env.js';

function sqlFilesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sqlFilesUnder(path);
    return name.endsWith('.sql') ? [relative(join(repoRoot, 'src'), path)] : [];
  });
}

it('ships every .sql file beside the compiled module that loads it', () => {
  const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repoRoot, encoding: 'utf8' });
  const packed = new Set((JSON.parse(output) as { files: { path: string }[] }[])[0]?.files.map((file) => file.path));
  const expected = sqlFilesUnder(join(repoRoot, 'src'));
  assert.ok(expected.length > 0);
  const missing = expected.filter((file) => !packed.has(join('dist', file)));
  assert.deepEqual(missing, []);
  assert.ok(packed.has('dist/cli/bin.js'));
});
