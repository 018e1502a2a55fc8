-- 0004 track, undone: capture stops everywhere (0002's down drops the capture functions next).
drop event trigger if exists wayback_ddl_command_end;
drop event trigger if exists wayback_sql_drop;
drop function wayback.on_ddl_command_end();
drop function wayback.on_sql_drop();
drop function wayback.untrack(regclass);
drop function wayback.track(regclass, text[]);
drop function wayback.drop_truncate_blockers(regclass);
