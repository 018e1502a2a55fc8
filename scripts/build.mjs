// Compiles src/ to dist/ and copies the .sql files beside the compiled modules that load them.
// It builds into a fresh directory and swaps it in at the end, so a CLI test running against dist/
// while someone rebuilds never finds dist/ half-written or gone.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const next = join(root, `.dist-${process.pid}`);
rmSync(next, { recursive: true, force: true });
execFileSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json'), '--outDir', next],
  { stdio: 'inherit' },
);

function copySql(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) copySql(path);
    else if (name.endsWith('.sql')) {
      const target = join(next, relative(join(root, 'src'), path));
      mkdirSync(dirname(target), { recursive: true });
      cpSync(path, target);
    }
  }
}
copySql(join(root, 'src'));
// The bin runs as a program in this checkout too (npx wayback): npm makes it executable only when it installs the package.
chmodSync(join(next, 'cli', 'bin.js'), 0o755);

const old = join(root, `.dist-old-${process.pid}`);
try {
  renameSync(dist, old);
} catch {
  // No dist/ yet.
}
renameSync(next, dist);
rmSync(old, { recursive: true, force: true });
