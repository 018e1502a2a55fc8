// P2: single-row UPDATE throughput with 2 client connections, journaled by wayback ÷ plain, with
// synchronous_commit on and off. Each client updates its own rows (even or odd ids), one autocommit
// statement at a time; a run is a fixed number of updates, so throughput ratio = plain time ÷ time.
import pg from 'pg';
import { openDb } from '../src/db/index.js';
import { installSchema, track } from '../src/journal/index.js';
import { alternate, type Variant } from './measure.js';
import { createBenchTable } from './table.js';

export interface SingleRowResults {
  /** journaled ÷ plain throughput, synchronous_commit on. */
  readonly syncRatio: number;
  /** The same with synchronous_commit off. */
  readonly asyncRatio: number;
  readonly plainTps: { readonly sync: number; readonly async: number };
}

const rows = 10_000;
export const singleRowClients = 2;

export async function benchSingleRow(url: string, rounds: number, updatesPerClient: number, log: (line: string) => void): Promise<SingleRowResults> {
  const admin = await openDb(url);
  const connections = await Promise.all(Array.from({ length: singleRowClients }, () => connect(url)));
  try {
    await admin.query('drop schema if exists wayback cascade');
    await installSchema(admin);
    for (const table of ['single_plain', 'single_wayback']) {
      await createBenchTable(admin, table, rows);
    }
    await track(admin, ['single_wayback']);
    const ratios: Record<'on' | 'off', { ratio: number; plainTps: number }> = { on: { ratio: NaN, plainTps: NaN }, off: { ratio: NaN, plainTps: NaN } };
    for (const mode of ['on', 'off'] as const) {
      log(`single-row UPDATEs, ${singleRowClients} clients × ${updatesPerClient}, synchronous_commit = ${mode}`);
      for (const connection of connections) await connection.query(`set synchronous_commit = ${mode}`);
      const variant = (name: string, table: string): Variant => ({
        name,
        reset: async () => {
          await admin.query(`vacuum ${table}`);
        },
        run: async () => {
          await Promise.all(connections.map((connection, client) => updateRows(connection, table, client, updatesPerClient)));
        },
      });
      const medians = await alternate([variant('plain', 'single_plain'), variant('wayback', 'single_wayback')], rounds, log);
      const plain = medians.get('plain') ?? NaN;
      ratios[mode] = { ratio: plain / (medians.get('wayback') ?? NaN), plainTps: (singleRowClients * updatesPerClient) / plain };
    }
    await admin.query('drop table single_plain, single_wayback');
    await admin.query('drop schema wayback cascade');
    return { syncRatio: ratios.on.ratio, asyncRatio: ratios.off.ratio, plainTps: { sync: ratios.on.plainTps, async: ratios.off.plainTps } };
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

/** `count` single-row UPDATEs, each its own transaction, on this client's half of the rows (no lock waits between clients). */
async function updateRows(client: pg.Client, table: string, half: number, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const id = ((i * 2 + half) % rows) + 1;
    await client.query(`update ${table} set score = score + 1, updated_at = now() where id = $1`, [id]);
  }
}
