// The designs wayback's capture is measured against, each set up on a table of its own (made by
// createBenchTable) and writing to side tables named after it:
// - floor: the application's own UPDATE writing the old values it replaces to `<table>_old` in the
//   same statement (a data-modifying CTE), the least any before-image can cost;
// - statement trigger: a statement-level trigger inserting its transition table's old rows, typed, into
//   `<table>_old`, the cheapest trigger design;
// - row audit: the classic row-level trigger storing to_jsonb(OLD) and to_jsonb(NEW) in `<table>_log`.
import type { Queryable } from '../src/db/index.js';

/** Creates `<table>_old` with the key and the columns the floor UPDATE sets. */
export async function createFloor(db: Queryable, table: string, columns: readonly string[]): Promise<void> {
  await db.query(`create table ${table}_old as select id, ${columns.join(', ')} from ${table} with no data`);
}

/** The floor's form of `update <table> set <set> where <where>`, saving `columns` as they were before. */
export function floorUpdate(table: string, set: string, where: string, columns: readonly string[]): string {
  // Every part of one statement sees the same snapshot: the CTE reads the old values the UPDATE replaces.
  return `with old as (select id, ${columns.join(', ')} from ${table} where ${where}),
    upd as (update ${table} set ${set} where ${where})
    insert into ${table}_old select * from old`;
}

export async function createStatementTrigger(db: Queryable, table: string): Promise<void> {
  await db.query(`create table ${table}_old (like ${table})`);
  await db.query(`create function ${table}_capture() returns trigger language plpgsql as $$
    begin insert into ${table}_old select * from old_rows; return null; end $$`);
  await db.query(`create trigger capture after update on ${table} referencing old table as old_rows
    for each statement execute function ${table}_capture()`);
}

export async function createRowAudit(db: Queryable, table: string): Promise<void> {
  await db.query(`create table ${table}_log (at timestamptz, op text, old jsonb, new jsonb)`);
  await db.query(`create function ${table}_audit() returns trigger language plpgsql as $$
    begin insert into ${table}_log values (now(), tg_op, to_jsonb(old), to_jsonb(new)); return null; end $$`);
  await db.query(`create trigger audit after update on ${table} for each row execute function ${table}_audit()`);
}

/** Drops the tables and whatever side tables and functions the baselines above made for them. */
export async function dropBaselines(db: Queryable, tables: readonly string[]): Promise<void> {
  for (const table of tables) {
    await db.query(`drop table if exists ${table}, ${table}_old, ${table}_log cascade`);
    await db.query(`drop function if exists ${table}_capture(), ${table}_audit()`);
  }
}
