-- 0004 track: starting and stopping capture, by hand (track, untrack) and after DDL (event triggers).

-- Starts (or refreshes) capture of a table. The key is its primary key, or p_key: a set of NOT NULL
-- columns covered exactly by a unique index. Every refusal is one line saying what to do instead.
create function wayback.track(p_table regclass, p_key text[] default null) returns int
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  v_class pg_class;
  v_schema text;
  v_key text[];
  v_missing text;
  v_id int;
begin
  select * into strict v_class from pg_class where oid = p_table;
  select nspname into strict v_schema from pg_namespace where oid = v_class.relnamespace;
  if not exists (select from pg_event_trigger where evtname = 'wayback_ddl_command_end' and evtenabled <> 'D') then
    raise exception using errcode = 'WB001',
      message = 'wayback''s event trigger is missing or disabled, and without it DDL on a tracked table would break capture; '
        'run "wayback init" as a superuser (event triggers need one)';
  end if;
  if v_class.relkind not in ('r', 'p') then
    raise exception using errcode = 'WB001',
      message = format('%s is not a table; wayback tracks ordinary and partitioned tables', p_table);
  end if;
  if v_class.relpersistence = 't' then
    raise exception using errcode = 'WB001',
      message = format('%s is a temporary table; its writes vanish with the session, so there is nothing to take back', p_table);
  end if;
  if v_schema = 'wayback' then
    raise exception using errcode = 'WB001', message = format('%s belongs to wayback itself and cannot be tracked', p_table);
  end if;
  if v_class.relispartition then
    raise exception using errcode = 'WB001',
      message = format('%s is a partition of %s; track %s instead, and its partitions are captured with it',
        p_table, pg_partition_root(p_table)::regclass, pg_partition_root(p_table)::regclass);
  end if;

  if p_key is null then
    v_key := wayback.primary_key_of(p_table);
    if v_key is null then
      raise exception using errcode = 'WB001',
        message = format('%s has no primary key, so its rows cannot be told apart; add one (ALTER TABLE %s ADD PRIMARY KEY (…)) or pass --key col,… naming unique NOT NULL columns', p_table, p_table);
    end if;
  else
    v_key := p_key;
    select string_agg(k, ', ') into v_missing from unnest(p_key) k
     where not exists (select from pg_attribute where attrelid = p_table and attname = k and attnum > 0 and not attisdropped);
    if v_missing is not null then
      raise exception using errcode = 'WB001', message = format('%s has no column %s; check the --key columns', p_table, v_missing);
    end if;
    select string_agg(k, ', ') into v_missing from unnest(p_key) k
     where exists (select from pg_attribute where attrelid = p_table and attname = k and not attnotnull);
    if v_missing is not null then
      raise exception using errcode = 'WB001',
        message = format('--key column %s of %s allows NULL; a key must be NOT NULL (ALTER TABLE %s ALTER COLUMN … SET NOT NULL)', v_missing, p_table, p_table);
    end if;
    if not exists (
      select from pg_index i
       where i.indrelid = p_table and i.indisunique and i.indpred is null and i.indexprs is null
         and (select array_agg(a.attname::text order by a.attname) from pg_attribute a
               where a.attrelid = p_table and a.attnum = any (i.indkey))
             = (select array_agg(k order by k) from (select distinct unnest(p_key) as k) u)
         and cardinality(p_key) = i.indnkeyatts
    ) then
      raise exception using errcode = 'WB001',
        message = format('no unique index on (%s) of %s; create one (CREATE UNIQUE INDEX ON %s (%s)) or choose other --key columns',
          array_to_string(p_key, ', '), p_table, p_table, array_to_string(p_key, ', '));
    end if;
  end if;

  insert into wayback.tracked_table (relid, schema_name, table_name, key_columns, key_source)
  values (p_table, v_schema, v_class.relname, v_key, case when p_key is null then 'primary-key' else 'explicit' end)
  on conflict (schema_name, table_name) do update
    set relid = excluded.relid, key_columns = excluded.key_columns, key_source = excluded.key_source,
        tracked_at = case when wayback.tracked_table.untracked_at is null then wayback.tracked_table.tracked_at else now() end,
        untracked_at = null
  returning id into v_id;
  perform wayback.sync_capture(v_id);
  return v_id;
end
$$;

-- Stops capture of a table; its journal stays.
create function wayback.untrack(p_table regclass) returns int
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  v_id int;
begin
  select id into v_id from wayback.tracked_table where relid = p_table and untracked_at is null;
  if v_id is null then
    raise exception using errcode = 'WB001', message = format('%s is not tracked; "wayback status" lists the tracked tables', p_table);
  end if;
  -- Dropping the capture function drops the capture triggers on every member of the tree with it.
  execute format('drop function if exists wayback.%I() cascade', 'capture_' || v_id);
  perform wayback.drop_truncate_blockers(p_table);
  update wayback.tracked_table set untracked_at = now() where relid = p_table and untracked_at is null;
  return v_id;
end
$$;

create function wayback.drop_truncate_blockers(p_table regclass) returns void
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  r record;
begin
  for r in select relid from wayback.tree_of(p_table) loop
    execute format('drop trigger if exists wayback_block_truncate on %s', r.relid);
  end loop;
end
$$;

-- Event triggers run as whoever issued the DDL, often a role with no rights on the wayback schema:
-- these run as wayback's owner (security definer), or every CREATE TABLE in the database would fail.
-- Keeps capture in step with DDL: a new partition gets its triggers, a renamed table or changed key is
-- picked up, a dropped table stops being tracked. Only the trees the command touched are synced.
create function wayback.on_ddl_command_end() returns event_trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_id int;
begin
  for v_id in
    select distinct t.id
      from pg_event_trigger_ddl_commands() c
      join pg_class rel on rel.oid = c.objid and c.classid = 'pg_class'::regclass and rel.relkind in ('r', 'p')
      join wayback.tracked_table t on t.relid = coalesce(pg_partition_root(c.objid), c.objid) and t.untracked_at is null
  loop
    perform wayback.sync_capture(v_id);
  end loop;
end
$$;

create function wayback.on_sql_drop() returns event_trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_function text;
begin
  update wayback.tracked_table t
     set untracked_at = now()
    from pg_event_trigger_dropped_objects() d
   where d.classid = 'pg_class'::regclass and d.objid = t.relid and d.objsubid = 0 and t.untracked_at is null;
  -- The capture triggers went with the table; the capture functions of tables now untracked go too.
  for v_function in
    select format('wayback.%I()', 'capture_' || t.id)
      from wayback.tracked_table t
     where t.untracked_at is not null
       and to_regprocedure(format('wayback.%I()', 'capture_' || t.id)) is not null
  loop
    execute format('drop function %s cascade', v_function);
  end loop;
end
$$;

-- Event triggers need a superuser. Without one the schema installs, but track refuses to start: the
-- capture functions name the table's columns, and only the event trigger keeps them in step with DDL.
do $$
begin
  if (select rolsuper from pg_roles where rolname = current_user) then
    create event trigger wayback_ddl_command_end on ddl_command_end
      when tag in ('CREATE TABLE', 'ALTER TABLE', 'CREATE TABLE AS', 'SELECT INTO')
      execute function wayback.on_ddl_command_end();
    create event trigger wayback_sql_drop on sql_drop
      when tag in ('DROP TABLE', 'DROP SCHEMA', 'DROP OWNED')
      execute function wayback.on_sql_drop();
  end if;
end
$$;

revoke all on all functions in schema wayback from public;
