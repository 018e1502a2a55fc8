// Revert cost: plan + apply of a 100k-row change set (one UPDATE of a 200k-row, 7-column table),
// against the time of that UPDATE itself, on the server and on PGlite.
import { performance } from 'node:perf_hooks';
import { openDb } from '../src/db/index.js';
import { installSchema, track } from '../src/journal/index.js';
import { revert } from '../src/revert/index.js';
import { median } from './measure.js';
import { createBenchTable } from './table.js';

export interface RevertBench {
  readonly writeSeconds: number;
  readonly revertSeconds: number;
}

export async function benchRevert(url: string, rounds: number, log: (line: string) => void): Promise<RevertBench> {
  const db = await openDb(url);
  try {
    await db.query('drop schema if exists wayback cascade');
    await installSchema(db);
    await createBenchTable(db, 'bench_revert', 200_000);
    await track(db, ['bench_revert']);
    const writes: number[] = [];
    const reverts: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      await db.query('vacuum analyze bench_revert');
      let start = performance.now();
      await db.transaction(async (tx) => {
        await tx.query(`select set_config('wayback.changeset', $1, true)`, [`bulk-${round}`]);
        await tx.query('update bench_revert set score = score + 1 where id <= 100000');
      });
      writes.push((performance.now() - start) / 1000);
      start = performance.now();
      const result = await revert(db, { changesets: [`bulk-${round}`] });
      reverts.push((performance.now() - start) / 1000);
      if (result.counts.cellsRestored !== 100_000) throw new Error(`expected 100000 cells restored, got ${result.counts.cellsRestored}`);
      log(`  round ${round}/${rounds} ${db.backend}: update ${writes.at(-1)?.toFixed(3)} s, revert ${reverts.at(-1)?.toFixed(3)} s`);
    }
    await db.query('drop table bench_revert');
    await db.query('drop schema wayback cascade');
    return { writeSeconds: median(writes), revertSeconds: median(reverts) };
  } finally {
    await db.close();
  }
}
