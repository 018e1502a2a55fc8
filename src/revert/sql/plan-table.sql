-- Plans one table's part of the revert into the plan of this transaction.
-- $1 tracked table id, $2 selected statement ids (bigint[]), $3 force (overwrite later writes)
insert into pg_temp.wayback_plan (table_id, key, action, kind, column_name, base, written, current, cells)
select table_id, key, action, kind, column_name, base, written, current, cells
  from wayback.plan_table($1, $2::bigint[], $3);
