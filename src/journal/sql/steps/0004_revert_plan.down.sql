-- 0004 revert_plan, undone.
drop function wayback.decide(int, jsonb, text, text, boolean, boolean, boolean, wayback.plan_cell[], boolean);
drop function wayback.plan_table(int, bigint[], boolean, boolean);
drop function wayback.writes_sql(wayback.tracked_column, boolean, text);
drop function wayback.key_match_sql(int, text, text);
drop type wayback.plan_cell;
drop type wayback.plan_step;
