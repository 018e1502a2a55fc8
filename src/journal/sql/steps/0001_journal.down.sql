-- 0001 journal, undone: stops all capture and removes the journal.

do $$
declare
  r record;
begin
  for r in select id, relid from wayback.tracked_table where untracked_at is null loop
    execute format('drop function if exists wayback.%I() cascade', 'capture_' || r.id);
    if exists (select from pg_class where oid = r.relid) then
      perform wayback.drop_truncate_blockers(r.relid::regclass);
    end if;
  end loop;
end
$$;

drop event trigger if exists wayback_ddl_command_end;
drop event trigger if exists wayback_sql_drop;
drop function wayback.on_ddl_command_end();
drop function wayback.on_sql_drop();
drop function wayback.untrack(regclass);
drop function wayback.drop_truncate_blockers(regclass);
drop function wayback.track(regclass, text[]);
drop function wayback.primary_key_of(oid);
drop function wayback.tree_of(oid);
drop function wayback.sync_capture(int);
drop function wayback.generate_capture(int);
drop function wayback.block_truncate();
drop function wayback.current_context();
drop view wayback.journal_entry;
drop table wayback.journal;
drop sequence wayback.statement_seq;
drop table wayback.context;
drop table wayback.tracked_table;
