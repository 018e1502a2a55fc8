// Runs the README's 2-minute tour for real, on a scratch embedded database (.wayback/tour), and writes
// what each command printed between the README's tour markers: `node scripts/tour.mjs` (after a build).
// The database is removed afterwards, pass or fail.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const readmePath = join(root, 'README.md');
const database = join(root, '.wayback', 'tour');
const url = 'pglite:.wayback/tour';
const job = 'job:name-cleanup:friday';

// [the command line as the README shows it, a comment shown after it]. `npx wayback` runs dist/cli/bin.js.
const steps = [
  ['node examples/tour/story.mjs setup', 'a table of 5 customers, not tracked yet'],
  ['npx wayback init', 'install the wayback schema'],
  ['npx wayback track customer', 'journal every write to it from now on'],
  ['node examples/tour/story.mjs friday', 'Friday: a job tagged name-cleanup, with a bug'],
  ['node examples/tour/story.mjs weekend', 'the weekend: three untagged transactions'],
  ['npx wayback changesets', 'Sunday: who wrote what, newest first'],
  [`npx wayback show ${job}`, ''],
  [`npx wayback revert --changeset ${job} --dry-run`, ''],
  [`npx wayback revert --changeset ${job}`, ''],
  ['node examples/tour/story.mjs rows', 'what the table holds now'],
];

if (!existsSync(join(root, 'dist', 'cli', 'bin.js'))) {
  console.error('dist/ is missing: run npm run build first');
  process.exit(1);
}
if (existsSync(database)) {
  console.error(`${database} exists: remove it (or wait for the other tour run) and try again`);
  process.exit(1);
}

const hadDotWayback = existsSync(dirname(database));
const env = { ...process.env, WAYBACK_DB: url };
for (const name of ['DATABASE_URL', 'NO_COLOR', 'FORCE_COLOR']) delete env[name];
const transcript = [`$ export WAYBACK_DB=${url}   # a scratch embedded database (the default: .wayback/db)`];
try {
  for (const [shown, comment] of steps) {
    const [program, ...args] = shown.split(' ');
    const argv = program === 'npx' ? [join(root, 'dist', 'cli', 'bin.js'), ...args.slice(1)] : args;
    const result = spawnSync(process.execPath, argv, { cwd: root, env, encoding: 'utf8' });
    if (result.status !== 0 && result.status !== 3) {
      throw new Error(`${shown} exited ${result.status}:\n${result.stdout}${result.stderr}`);
    }
    transcript.push(`$ ${shown}${comment === '' ? '' : `   # ${comment}`}`, ...`${result.stdout}${result.stderr}`.trimEnd().split('\n'));
  }
} finally {
  rmSync(database, { recursive: true, force: true });
  rmSync(`${database}.lock`, { force: true });
  if (!hadDotWayback) rmdirSync(dirname(database));
}

const begin = '<!-- tour:begin (written by node scripts/tour.mjs) -->';
const end = '<!-- tour:end -->';
const readme = readFileSync(readmePath, 'utf8');
const from = readme.indexOf(begin);
const to = readme.indexOf(end);
if (from < 0 || to < from) throw new Error(`README.md has no ${begin} … ${end} block`);
const block = `${begin}\n\`\`\`console\n${transcript.join('\n')}\n\`\`\`\n`;
writeFileSync(readmePath, `${readme.slice(0, from)}${block}${readme.slice(to)}`);
console.log(`wrote the tour (${transcript.length} lines) into README.md`);
