import type { Queryable } from '../db/index.js';
import { requireSchema } from './schema.js';

export interface TableStatus {
  readonly table: string;
  readonly key: readonly string[];
  readonly keySource: 'primary-key' | 'explicit';
  readonly trackedAt: string;
  /** Members of its partition tree (1 for a plain table). */
  readonly members: number;
  /** Members whose capture triggers are missing: DDL happened without the event trigger; run track again. */
  readonly membersWithoutCapture: number;
  readonly capturing: boolean;
}

export interface Status {
  readonly schemaVersion: number;
  readonly tables: readonly TableStatus[];
}

/** The tracked tables and whether capture is complete on each. */
export async function status(db: Queryable): Promise<Status> {
  const schemaVersion = await requireSchema(db);
  const { rows } = await db.query<{
    table: string;
    key_columns: string[];
    key_source: 'primary-key' | 'explicit';
    tracked_at: Date;
    members: number;
    without_capture: number;
  }>(
    `select t.schema_name || '.' || t.table_name as table, t.key_columns, t.key_source, t.tracked_at,
            count(m.relid)::int as members,
            (count(m.relid) filter (where not exists (
               select from pg_trigger g
                where g.tgrelid = m.relid and g.tgname in ('wayback_capture_insert', 'wayback_capture_update', 'wayback_capture_delete')
                group by g.tgrelid having count(*) = 3)))::int as without_capture
       from wayback.tracked_table t
       cross join lateral wayback.tree_of(t.relid) m
      where t.untracked_at is null
      group by t.id
      order by 1`,
  );
  return {
    schemaVersion,
    tables: rows.map((row) => ({
      table: row.table,
      key: row.key_columns,
      keySource: row.key_source,
      trackedAt: row.tracked_at.toISOString(),
      members: row.members,
      membersWithoutCapture: row.without_capture,
      capturing: row.without_capture === 0,
    })),
  };
}
