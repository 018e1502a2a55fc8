import type { Queryable } from '../src/db/index.js';

/**
 * The table every benchmark writes to: 7 mixed columns (int key, text, nullable text, int, numeric,
 * timestamptz, text[]), `rows` rows, vacuumed and analyzed. Dropped first if it exists.
 */
export async function createBenchTable(db: Queryable, name: string, rows: number): Promise<void> {
  await db.query(`drop table if exists ${name} cascade`);
  await db.query(`create table ${name} (
    id int primary key, name text not null, email text, score int not null, balance numeric(12,2),
    updated_at timestamptz not null, tags text[])`);
  await db.query(`insert into ${name}
    select g, 'name ' || g, 'user' || g || '@example.com', g % 1000, (g % 10000) / 7.0, now(), array['a', 'b']
      from generate_series(1, ${rows}) g`);
  await db.query(`vacuum analyze ${name}`);
}
