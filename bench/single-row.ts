// P2: single-row UPDATE throughput with 2 client connections, journaled by wayback ÷ plain, with
// synchronous_commit on and off, beside the same ratio for the baselines of bench/baselines.ts. Each
// client updates its own rows (even or odd ids), one autocommit statement at a time; a run is a fixed
// number of updates, so throughput ratio = plain time ÷ time.
import pg from 'pg';
import { openDb } from '../src/db/index.js';
import { installSchema, track } from '../src/journal/index.js';
import { createFloor, createRowAudit, createStatementTrigger, dropBaselines, floorUpdate } from './baselines.js';
import { alternate, type Variant } from './measure.js';
import { createBenchTable } from './table.js';

/** A figure measured with synchronous_commit on (sync) and off (async). */
export interface BySyncMode {
  readonly sync: number;
  readonly async: number;
}

/** Throughputs ÷ plain's, and plain's in updates per second. */
export interface SingleRowResults {
  readonly wayback: BySyncMode;
  readonly floor: BySyncMode;
  readonly statementTrigger: BySyncMode;
  readonly rowAudit: BySyncMode;
  readonly plainTps: BySyncMode;
}

const rows = 10_000;
export const singleRowClients = 2;
const tables = ['single_plain', 'single_floor', 'single_statement', 'single_wayback', 'single_audit'];
const set = 'score = score + 1, updated_at = now()';
const setColumns = ['score', 'updated_at'];
const update = (table: string) => `update ${table} set ${set} where id = $1`;

export async function benchSingleRow(url: string, rounds: number, updatesPerClient: number, log: (line: string) => void): Promise<SingleRowResults> {
  const admin = await openDb(url);
  const connections = await Promise.all(Array.from({ length: singleRowClients }, () => connect(url)));
  try {
    await admin.query('drop schema if exists wayback cascade');
    await installSchema(admin);
    for (const table of tables) await createBenchTable(admin, table, rows);
    await createFloor(admin, 'single_floor', setColumns);
    await createStatementTrigger(admin, 'single_statement');
    await createRowAudit(admin, 'single_audit');
    await track(admin, ['single_wayback']);
    const medians = { on: new Map<string, number>(), off: new Map<string, number>() };
    for (const mode of ['on', 'off'] as const) {
      log(`single-row UPDATEs, ${singleRowClients} clients × ${updatesPerClient}, synchronous_commit = ${mode}`);
      for (const connection of connections) await connection.query(`set synchronous_commit = ${mode}`);
      const variant = (name: string, table: string, sql = update(table)): Variant => ({
        name,
        reset: async () => {
          await admin.query(`vacuum ${table}`);
        },
        run: async () => {
          await Promise.all(connections.map((connection, client) => updateRows(connection, sql, client, updatesPerClient)));
        },
      });
      medians[mode] = await alternate(
        [
          variant('plain', 'single_plain'),
          variant('floor', 'single_floor', floorUpdate('single_floor', set, 'id = $1', setColumns)),
          variant('statement-trigger', 'single_statement'),
          variant('wayback', 'single_wayback'),
          variant('row-audit', 'single_audit'),
        ],
        rounds,
        log,
      );
    }
    await dropBaselines(admin, tables);
    await admin.query('drop schema wayback cascade');
    const ratios = (name: string): BySyncMode => ({
      sync: (medians.on.get('plain') ?? NaN) / (medians.on.get(name) ?? NaN),
      async: (medians.off.get('plain') ?? NaN) / (medians.off.get(name) ?? NaN),
    });
    const updates = singleRowClients * updatesPerClient;
    return {
      wayback: ratios('wayback'),
      floor: ratios('floor'),
      statementTrigger: ratios('statement-trigger'),
      rowAudit: ratios('row-audit'),
      plainTps: { sync: updates / (medians.on.get('plain') ?? NaN), async: updates / (medians.off.get('plain') ?? NaN) },
    };
  } finally {
    for (const connection of connections) await connection.end();
    await admin.close();
  }
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'wayback-bench' });
  await client.connect();
  return client;
}

/** `count` single-row UPDATEs (`sql`, the id as $1), each its own transaction, on this client's half of the rows (no lock waits between clients). */
async function updateRows(client: pg.Client, sql: string, half: number, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const id = ((i * 2 + half) % rows) + 1;
    await client.query(sql, [id]);
  }
}
