-- Loads a saved plan's steps into this transaction's plan table, matching each step's table by name
-- to the tracked table it names now. All or nothing: if any table the plan names is no longer tracked
-- (untracked, or dropped, which untracks it), no step is loaded, and the rows name those tables, so the
-- plan is refused whole rather than applied to the tables that remain (a partial revert).
-- $1 the steps, as a JSON array of {action, table, key, cells}
-- Returns one row per table: table_id of a table loaded, or gone (its schema.table) and whether no
-- table of that name exists any more (dropped).
with step as (
  select s.action, s."table", s.key, s.cells, t.id as table_id
    from jsonb_to_recordset($1::jsonb) as s(action text, "table" text, key jsonb, cells jsonb)
    left join wayback.tracked_table t on t.schema_name || '.' || t.table_name = s."table" and t.untracked_at is null
),
gone as (
  select distinct step."table" from step where step.table_id is null
),
loaded as (
  insert into pg_temp.wayback_plan (table_id, key, action, cells)
  select step.table_id, step.key, step.action, step.cells
    from step
   where not exists (select from gone)
  returning table_id
)
select distinct loaded.table_id, null::text as gone, null::boolean as dropped
  from loaded
union all
select null, gone."table",
       not exists (select from pg_class c join pg_namespace n on n.oid = c.relnamespace
                    where n.nspname || '.' || c.relname = gone."table" and c.relkind in ('r', 'p'))
  from gone
order by 2, 1;
