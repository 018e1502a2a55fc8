-- 0005 revert_rules, undone.
drop function wayback.decide(int, jsonb, text, text, boolean, boolean, boolean, wayback.plan_cell[], boolean);
drop type wayback.plan_cell;
drop type wayback.plan_step;
