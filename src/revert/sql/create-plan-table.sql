-- The plan of the revert under way, in this transaction only: one row per step (wayback.plan_step),
-- numbered. wayback.apply_table reads it and marks the steps it could not carry out as 'failed'.
create temp table wayback_plan (
  step_no bigint generated always as identity primary key,
  table_id int not null,
  key jsonb not null,
  action text not null,
  kind text,
  column_name text,
  base text,
  written text,
  current text,
  cells jsonb
) on commit drop;
