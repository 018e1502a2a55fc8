-- Loads a saved plan's steps into this transaction's plan table, matching each step's table by name
-- to the tracked table it names now. Returns the tables it loaded steps for.
-- $1 the steps, as a JSON array of {action, table, key, cells}
insert into pg_temp.wayback_plan (table_id, key, action, cells)
select t.id, s.key, s.action, s.cells
  from jsonb_to_recordset($1::jsonb) as s(action text, "table" text, key jsonb, cells jsonb)
  join wayback.tracked_table t on t.schema_name || '.' || t.table_name = s."table" and t.untracked_at is null
returning table_id;
