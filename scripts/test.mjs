// npm test: build, prepare this run's template databases, run every test file with node's test runner
// (on PGlite always, and on the PostgreSQL server named by WAYBACK_TEST_SERVER when it is set), then
// remove the templates. `npm test -- test/journal/capture.test.ts` runs only the files named.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env, WAYBACK_TEST_RUN: process.env.WAYBACK_TEST_RUN ?? `r${process.pid}` };
const run = (args) => spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env }).status ?? 1;

function testFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testFiles(path);
    return name.endsWith('.test.ts') ? [relative(root, path)] : [];
  });
}

const only = process.argv.slice(2);
let status = run(['scripts/build.mjs']);
if (status === 0) status = run(['--import', 'tsx', 'test/support/prepare.ts']);
if (status === 0) {
  const files = only.length > 0 ? only : testFiles(join(root, 'test')).sort();
  status = run(['--import', 'tsx', '--test', '--test-concurrency=2', ...files]);
}
const cleanup = run(['--import', 'tsx', 'test/support/cleanup.ts']);
process.exit(status !== 0 ? status : cleanup);
