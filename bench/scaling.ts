// Scaling: capture (the journaled UPDATE) and revert (plan + apply) of 1k … 1M-row change sets on the
// server, each on a table twice that size; both should grow linearly with the rows.
import { performance } from 'node:perf_hooks';
import { openDb } from '../src/db/index.js';
import { installSchema, track } from '../src/journal/index.js';
import { revert } from '../src/revert/index.js';
import { createBenchTable } from './table.js';

export interface ScalingPoint {
  readonly rows: number;
  readonly captureSeconds: number;
  readonly revertSeconds: number;
}

export async function benchScaling(url: string, sizes: readonly number[], log: (line: string) => void): Promise<ScalingPoint[]> {
  const db = await openDb(url);
  const points: ScalingPoint[] = [];
  try {
    await db.query('drop schema if exists wayback cascade');
    await installSchema(db);
    for (const rows of sizes) {
      await createBenchTable(db, 'bench_scaling', 2 * rows);
      await track(db, ['bench_scaling']);
      let start = performance.now();
      await db.transaction(async (tx) => {
        await tx.query(`select set_config('wayback.changeset', $1, true)`, [`scaling-${rows}`]);
        await tx.query(`update bench_scaling set score = score + 1 where id <= ${rows}`);
      });
      const captureSeconds = (performance.now() - start) / 1000;
      start = performance.now();
      const result = await revert(db, { changesets: [`scaling-${rows}`] });
      const revertSeconds = (performance.now() - start) / 1000;
      if (result.counts.cellsRestored !== rows) throw new Error(`expected ${rows} cells restored, got ${result.counts.cellsRestored}`);
      points.push({ rows, captureSeconds, revertSeconds });
      log(`  ${rows} rows: capture ${captureSeconds.toFixed(3)} s, revert ${revertSeconds.toFixed(3)} s`);
      await db.query('drop table bench_scaling');
    }
    await db.query('drop schema wayback cascade');
    return points;
  } finally {
    await db.close();
  }
}
