-- 0006 revert_plan, undone.
drop function wayback.plan_table(int, bigint[], boolean, boolean);
drop function wayback.writes_sql(wayback.tracked_column, boolean, text);
drop function wayback.key_match_sql(int, text, text);
