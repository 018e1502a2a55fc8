// Capture cost on the server: one UPDATE of 100k rows of a 200k-row, 7-column table, journaled by
// wayback, against plain (no capture), the physical floor (the same UPDATE writing each changed row's
// old value to a side table in the same statement, through a data-modifying CTE), a statement-level
// trigger inserting the typed old rows from its transition table (the cheapest trigger design) and the
// classic row-level to_jsonb(OLD)/to_jsonb(NEW) audit trigger.
// Also: journal bytes per 1-column UPDATE, heap and indexes and the statement's row included.
import { openDb, type Db } from '../src/db/index.js';
import { installSchema, track } from '../src/journal/index.js';
import { createFloor, createRowAudit, createStatementTrigger, dropBaselines, floorUpdate } from './baselines.js';
import { alternate, type Variant } from './measure.js';
import { createBenchTable } from './table.js';

export interface CaptureResults {
  readonly plainSeconds: number;
  readonly ratios: { readonly wayback: number; readonly floor: number; readonly statementTrigger: number; readonly rowAudit: number };
  readonly journalBytesPerUpdate: number;
}

const rows = 200_000;
const updated = 100_000;

const set = 'score = score + 1';
const where = `id <= ${updated}`;
const update = (table: string) => `update ${table} set ${set} where ${where}`;

export async function benchCapture(url: string, rounds: number, log: (line: string) => void): Promise<CaptureResults> {
  const db = await openDb(url);
  try {
    await db.query('drop schema if exists wayback cascade');
    await installSchema(db);
    for (const table of ['bench_plain', 'bench_floor', 'bench_statement', 'bench_wayback', 'bench_audit']) await createBenchTable(db, table, rows);
    await createFloor(db, 'bench_floor', ['score']);
    await createStatementTrigger(db, 'bench_statement');
    await createRowAudit(db, 'bench_audit');
    await track(db, ['bench_wayback']);
    const { rows: ids } = await db.query<{ id: number }>(`select id from wayback.tracked_table where table_name = 'bench_wayback'`);
    const journal = `wayback.journal_${ids[0]?.id}`;
    const journalTables = `${journal}, wayback.bulk_statement`;

    const vacuum = (table: string) => async () => {
      await db.query(`vacuum ${table}`);
    };
    const variants: Variant[] = [
      { name: 'plain', reset: vacuum('bench_plain'), run: async () => void (await db.query(update('bench_plain'))) },
      {
        name: 'floor',
        reset: async () => {
          await db.query('truncate bench_floor_old');
          await vacuum('bench_floor')();
        },
        run: async () => void (await db.query(floorUpdate('bench_floor', set, where, ['score']))),
      },
      {
        name: 'statement-trigger',
        reset: async () => {
          await db.query('truncate bench_statement_old');
          await vacuum('bench_statement')();
        },
        run: async () => void (await db.query(update('bench_statement'))),
      },
      {
        name: 'wayback',
        reset: async () => {
          await db.query(`truncate ${journalTables}`);
          await vacuum('bench_wayback')();
        },
        run: async () => void (await db.query(update('bench_wayback'))),
      },
      {
        name: 'row-audit',
        reset: async () => {
          await db.query('truncate bench_audit_log');
          await vacuum('bench_audit')();
        },
        run: async () => void (await db.query(update('bench_audit'))),
      },
    ];
    const medians = await alternate(variants, rounds, log);
    const plain = medians.get('plain') ?? NaN;

    await db.query(`truncate ${journalTables}`);
    await db.query('vacuum bench_wayback');
    await db.query(update('bench_wayback'));
    await db.query(`vacuum analyze ${journal}_default, wayback.bulk_statement`);
    const { rows: size } = await db.query<{ bytes: string; entries: string }>(
      `select pg_total_relation_size('${journal}_default') + pg_total_relation_size('wayback.bulk_statement') as bytes,
              (select count(*) from ${journal}) as entries`,
    );
    const entries = Number(size[0]?.entries);
    if (entries !== updated) throw new Error(`expected ${updated} journal entries, found ${entries}`);

    await dropBaselines(db, ['bench_plain', 'bench_floor', 'bench_statement', 'bench_wayback', 'bench_audit']);
    await db.query('drop schema wayback cascade');
    return {
      plainSeconds: plain,
      ratios: {
        wayback: (medians.get('wayback') ?? NaN) / plain,
        floor: (medians.get('floor') ?? NaN) / plain,
        statementTrigger: (medians.get('statement-trigger') ?? NaN) / plain,
        rowAudit: (medians.get('row-audit') ?? NaN) / plain,
      },
      journalBytesPerUpdate: Number(size[0]?.bytes) / updated,
    };
  } finally {
    await db.close();
  }
}
