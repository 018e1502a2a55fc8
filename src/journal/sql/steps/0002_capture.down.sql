-- 0002 capture, undone: every capture function (and with it every capture trigger) and the truncate guards.
do $$
declare
  r record;
begin
  for r in select p.oid::regprocedure as fn from pg_proc p join pg_namespace n on n.oid = p.pronamespace
            where n.nspname = 'wayback' and p.proname ~ '^capture_[0-9]+$' loop
    execute format('drop function %s cascade', r.fn);
  end loop;
end
$$;
do $$
declare
  r record;
begin
  for r in select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = 'wayback' and c.relname ~ '^journal_[0-9]+$' and c.relkind = 'p' loop
    execute format('drop table wayback.%I', r.relname);
  end loop;
end
$$;
drop function wayback.block_truncate() cascade;
drop function wayback.sync_capture(int);
drop function wayback.generate_capture(int);
drop function wayback.sync_columns(int);
drop function wayback.compares_as_text(oid);
drop function wayback.storage_type(oid, int);
drop function wayback.tree_of(oid);
drop function wayback.primary_key_of(oid);
