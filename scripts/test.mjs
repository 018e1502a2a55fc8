// npm test: build, prepare the template databases, then run every test file with node's test runner,
// on PGlite always and on the PostgreSQL server named by WAYBACK_TEST_SERVER when it is set.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (args) => {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

function testFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testFiles(path);
    return name.endsWith('.test.ts') ? [relative(root, path)] : [];
  });
}

const only = process.argv.slice(2);
run(['scripts/build.mjs']);
run(['--import', 'tsx', 'test/support/prepare.ts']);
run(['--import', 'tsx', '--test', '--test-concurrency=2', ...(only.length > 0 ? only : testFiles(join(root, 'test')).sort())]);
