-- 0007 revert_apply, undone.
drop function wayback.mark_referenced(int);
drop function wayback.apply_table(int, text);
drop function wayback.apply_moved(int, bigint, text);
drop function wayback.reinsert_sql(regclass, text[]);
