// npm run bench [-- --quick]: measures what the way back costs, writes docs/benchmarks.md,
// docs/scaling.svg and bench/results/latest.json. Needs a PostgreSQL server: WAYBACK_BENCH_DB (an admin
// URL; default the local one), and a build (npm run build) for the demo. It creates and drops its own
// database. --quick: 3 rounds and scaling up to 100k rows, under 3 minutes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { createTemporaryDatabase } from '../src/db/index.js';
import { benchCapture } from './capture.js';
import { logLogChart } from './chart.js';
import { benchDemo } from './demo.js';
import { serverVersion } from './measure.js';
import { benchRevert } from './revert.js';
import { benchScaling } from './scaling.js';
import { benchSingleRow, singleRowClients } from './single-row.js';

const quick = process.argv.includes('--quick');
const rounds = quick ? 3 : 5;
const scalingSizes = quick ? [1_000, 10_000, 100_000] : [1_000, 10_000, 100_000, 1_000_000];
const singleRowUpdates = quick ? 1_500 : 5_000;
const adminUrl = process.env['WAYBACK_BENCH_DB'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const log = (line: string) => process.stderr.write(`${line}\n`);
const started = performance.now();

const bench = await createTemporaryDatabase(adminUrl, `wayback_bench_${process.pid}`);
const url = bench.url;
const version = await serverVersion(url);
let capture;
let singleRow;
let serverRevert;
let pgliteRevert;
let scaling;
try {
  log(`capture: 100k-row UPDATE, ${rounds} rounds, variants alternating`);
  capture = await benchCapture(url, rounds, log);
  singleRow = await benchSingleRow(url, rounds, singleRowUpdates, log);
  log(`revert: plan + apply of a 100k-row change set, ${rounds} rounds, server then PGlite`);
  serverRevert = await benchRevert(url, rounds, log);
  pgliteRevert = await benchRevert('pglite:memory', rounds, log);
  log(`scaling: capture and revert of ${scalingSizes.join(' / ')}-row change sets`);
  scaling = await benchScaling(url, scalingSizes, log);
} finally {
  await bench.drop();
}
log(`demo: ${rounds} runs of wayback demo`);
const demoSeconds = benchDemo(rounds, log);

/** Microseconds wayback adds to each single-row UPDATE, seen by one of the clients. */
const addedMicroseconds = (plainTps: number, ratio: number) => ((singleRowClients / plainTps) * (1 / ratio - 1) * 1e6).toFixed(0);

const results = {
  date: new Date().toISOString(),
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
  node: process.version,
  postgres: version,
  rounds,
  plain_bulk_update_seconds: capture.plainSeconds,
  p1_bulk_update_ratio: capture.ratios.wayback,
  p1_floor_ratio: capture.ratios.floor,
  statement_trigger_ratio: capture.ratios.statementTrigger,
  row_audit_trigger_ratio: capture.ratios.rowAudit,
  p2_single_row_tps_ratio: singleRow.wayback.sync,
  p2_single_row_tps_ratio_async: singleRow.wayback.async,
  plain_single_row_tps: singleRow.plainTps,
  single_row_floor_ratio: singleRow.floor,
  single_row_statement_trigger_ratio: singleRow.statementTrigger,
  single_row_row_audit_trigger_ratio: singleRow.rowAudit,
  p3_journal_bytes_per_update: capture.journalBytesPerUpdate,
  p4_revert_vs_write_ratio: serverRevert.revertSeconds / serverRevert.writeSeconds,
  p5_pglite_vs_server_revert_ratio: pgliteRevert.revertSeconds / serverRevert.revertSeconds,
  server_revert_seconds: serverRevert.revertSeconds,
  pglite_revert_seconds: pgliteRevert.revertSeconds,
  p8_demo_seconds: demoSeconds,
  scaling: scaling.map((p) => ({ rows: p.rows, capture_seconds: p.captureSeconds, revert_seconds: p.revertSeconds })),
  bench_seconds: 0,
};
results.bench_seconds = (performance.now() - started) / 1000;
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/latest.json', `${JSON.stringify(results, null, 2)}\n`);
const f = (n: number) => n.toFixed(2);
const label = {
  floor: 'floor: old values to a side table in the same statement',
  statementTrigger: 'statement trigger inserting the typed old rows (cheapest trigger design)',
  wayback: 'wayback (statement trigger, typed before/after of changed columns)',
  rowAudit: 'row-level audit trigger, to_jsonb(OLD)/to_jsonb(NEW)',
};
writeFileSync(
  'docs/benchmarks.md',
  `# Benchmarks

Measured by \`npm run bench${quick ? ' -- --quick' : ''}\` on ${results.date.slice(0, 10)}: ${results.machine}, Node ${results.node},
PostgreSQL ${results.postgres}. Medians of ${rounds} rounds; the variants run in turn within each round, so
load on this shared machine hits all of them alike. Ratios are to the plain variant measured in the same run.

## Capture: one UPDATE of 100k rows (a 200k-row table of 7 mixed columns)

| variant | time ÷ plain | goal |
|---|---|---|
| plain, no capture | 1.00 (${capture.plainSeconds.toFixed(3)} s) | |
| ${label.floor} | ${f(capture.ratios.floor)} | |
| ${label.statementTrigger} | ${f(capture.ratios.statementTrigger)} | |
| **${label.wayback}** | **${f(capture.ratios.wayback)}** | P1 ≤ 1.45 and ≤ 1.1 × floor (${f(1.1 * capture.ratios.floor)}) |
| ${label.rowAudit} | ${f(capture.ratios.rowAudit)} | |

Journal bytes per 1-column UPDATE (heap and indexes, the statement's one row in \`wayback.bulk_statement\` included): **${capture.journalBytesPerUpdate.toFixed(1)} B** (goal P3 ≤ 100 B).

## Revert: plan + apply of that 100k-row change set

| | time | ratio | goal |
|---|---|---|---|
| the UPDATE itself (server) | ${serverRevert.writeSeconds.toFixed(3)} s | 1.00 | |
| revert on the server | ${serverRevert.revertSeconds.toFixed(3)} s | **${f(results.p4_revert_vs_write_ratio)}** × the UPDATE | P4 ≤ 2.0 |
| revert on PGlite | ${pgliteRevert.revertSeconds.toFixed(3)} s | **${f(results.p5_pglite_vs_server_revert_ratio)}** × the server | P5 ≤ 2.5 |

## Single-row UPDATEs: 2 client connections, each its own rows, one autocommit statement at a time

Throughput ÷ plain's. The floor runs the application's UPDATE as a data-modifying CTE saving the old
values of the columns it sets. wayback writes one journal row per single-row statement, and that row
carries the statement's metadata (change set, txid, tags, role, time) itself; only a statement that
writes more than one row adds a row to \`wayback.bulk_statement\`.

| variant | synchronous_commit = on | synchronous_commit = off |
|---|---|---|
| plain, no capture | 1.00 (${Math.round(singleRow.plainTps.sync)} updates/s) | 1.00 (${Math.round(singleRow.plainTps.async)} updates/s) |
| ${label.floor} | ${f(singleRow.floor.sync)} | ${f(singleRow.floor.async)} |
| ${label.statementTrigger} | ${f(singleRow.statementTrigger.sync)} | ${f(singleRow.statementTrigger.async)} |
| **${label.wayback}** | **${f(singleRow.wayback.sync)}** (${addedMicroseconds(singleRow.plainTps.sync, singleRow.wayback.sync)} µs added) | **${f(singleRow.wayback.async)}** (${addedMicroseconds(singleRow.plainTps.async, singleRow.wayback.async)} µs added) |
| ${label.rowAudit} | ${f(singleRow.rowAudit.sync)} | ${f(singleRow.rowAudit.async)} |
| goal P2 | ≥ 0.95 | ≥ 0.85 |

The ratio depends on how fast the plain UPDATE is on the day; the time added to each UPDATE (per client: its
time with wayback less its time without) is the cost itself.

## The demo

\`wayback demo\` (what \`npm start\` runs), start to exit: **${demoSeconds.toFixed(1)} s** (median of ${rounds}; goal P8 < 20 s).

## Scaling: capture and revert against the size of the change set

Capture is the journaled UPDATE of that many rows (on a table twice as large); revert is plan + apply.
One run per size, on the server.

| rows | capture | revert |
|---:|---:|---:|
${scaling.map((p) => `| ${p.rows} | ${p.captureSeconds.toFixed(3)} s | ${p.revertSeconds.toFixed(3)} s |`).join('\n')}

![capture and revert time against rows, log-log](scaling.svg)

Raw figures: \`bench/results/latest.json\`. Where capture and revert spend their time, and the designs tried: [capture-profile.md](capture-profile.md). How long \`wayback migrate verify\` takes: [verify-benchmarks.md](verify-benchmarks.md) (\`npm run bench:verify\`).
`,
);
writeFileSync(
  'docs/scaling.svg',
  logLogChart('capture and revert on the server', [
    { name: 'revert', color: '#c0392b', points: scaling.map((p) => ({ x: p.rows, y: p.revertSeconds })) },
    { name: 'capture', color: '#2471a3', points: scaling.map((p) => ({ x: p.rows, y: p.captureSeconds })) },
  ]),
);
log(JSON.stringify(results, null, 2));
log(`done in ${results.bench_seconds.toFixed(0)} s`);
