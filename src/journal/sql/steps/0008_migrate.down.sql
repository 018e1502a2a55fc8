-- 0008 migrate, undone: the migration history goes (the user's schema stays as the migrations left it),
-- and with it the data kept for lossless downs.
do $$
declare
  kept name;
begin
  for kept in select kept_table from wayback.migration_kept loop
    execute format('drop table if exists wayback.%I', kept);
  end loop;
end $$;
drop table wayback.migration_kept;
drop sequence wayback.kept_table_seq;
drop table wayback.migration;
