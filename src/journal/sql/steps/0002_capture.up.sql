-- 0002 capture: the functions that write the journal, and the one that keeps a table's triggers current.

-- The context of the current transaction's writes, created on its first tracked write. The id is
-- cached in transaction-local settings keyed by txid, change set and feature, so a later statement
-- finds it without a lookup, and a savepoint rollback forgets it together with the row it inserted.
create function wayback.current_context() returns bigint
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  v_txid bigint := txid_current();
  v_changeset text := nullif(current_setting('wayback.changeset', true), '');
  v_feature text := nullif(current_setting('wayback.feature', true), '');
  v_key text := v_txid::text || '/' || coalesce(v_changeset, '') || '/' || coalesce(v_feature, '');
  v_id bigint;
begin
  if current_setting('wayback.context_key', true) = v_key then
    return current_setting('wayback.context_id')::bigint;
  end if;
  insert into wayback.context (txid, changeset, feature, kind, actor, app, role, at)
  values (
    v_txid,
    coalesce(v_changeset, 'tx:' || v_txid),
    v_feature,
    nullif(current_setting('wayback.kind', true), ''),
    nullif(current_setting('wayback.actor', true), ''),
    nullif(current_setting('application_name', true), ''),
    -- Capture runs as the journal's owner (security definer); the role setting still names who wrote.
    coalesce(nullif(current_setting('role', true), 'none'), session_user),
    clock_timestamp()
  )
  returning id into v_id;
  perform set_config('wayback.context_key', v_key, true);
  perform set_config('wayback.context_id', v_id::text, true);
  return v_id;
end
$$;

-- TRUNCATE leaves no per-row trace a statement trigger could journal cheaply, so it is refused.
create function wayback.block_truncate() returns trigger
language plpgsql
as $$
begin
  raise exception using
    errcode = 'WB001',
    message = format(
      'TRUNCATE of %s is blocked: wayback tracks it and TRUNCATE would leave no way back; '
      'use DELETE (journaled), or run "wayback untrack %s" first',
      tg_table_schema || '.' || tg_table_name, tg_table_schema || '.' || tg_table_name);
end
$$;

-- Writes the capture function of one tracked table: one set-based insert of the statement's rows
-- into the journal, then, if there were any, one row for the statement (and, on the transaction's first
-- tracked write, one for its context). An UPDATE that changes nothing leaves no trace.
-- Column and key names go into the function only as string literals (jsonb keys), never as
-- identifiers, so a column dropped or renamed later cannot make the user's write fail.
-- Old and new rows of an UPDATE are paired by position in the transition tables, which PostgreSQL fills
-- in step, one old and one new row per updated row (also for rows moved across partitions): pairing on
-- the key instead would lose or mismatch the rows whose key the UPDATE changed.
-- Rows are taken as r.*, not r: a bare r means the column r when the table has one.
-- Columns are compared as text, not with jsonb's =, which calls 1.5 and 1.50 equal (numerics, also
-- inside jsonb columns): a change of scale alone is still a change.
create function wayback.generate_capture(p_table_id int) returns void
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  v_table wayback.tracked_table;
  v_pk text;
  v_same text;
begin
  select * into strict v_table from wayback.tracked_table where id = p_table_id;
  select 'jsonb_build_array(' || string_agg(format('j->%L', k), ', ' order by ord) || ')'
    into v_pk
    from unnest(v_table.key_columns) with ordinality as u(k, ord);
  select coalesce(string_agg(format('case when (o.j->%1$L)::text = (n.j->%1$L)::text then %1$L end', a.attname), ', ' order by a.attnum), '')
    into v_same
    from pg_attribute a
   where a.attrelid = v_table.relid and a.attnum > 0 and not a.attisdropped;

  execute format($f$
    create or replace function wayback.%1$I() returns trigger
    language plpgsql
    security definer
    set search_path = pg_catalog, pg_temp
    set jit = off
    as $body$
    declare
      v_stmt bigint := nextval('wayback.statement_seq');
      v_rows bigint;
    begin
      if tg_op = 'INSERT' then
        insert into wayback.journal (stmt, pk, before, after)
        select v_stmt, %3$s, null, j from (select to_jsonb(r.*) as j from new_rows r) s;
      elsif tg_op = 'DELETE' then
        insert into wayback.journal (stmt, pk, before, after)
        select v_stmt, %3$s, j, null from (select to_jsonb(r.*) as j from old_rows r) s;
      else
        insert into wayback.journal (stmt, pk, before, after)
        select v_stmt, %4$s, o.j - d.same, n.j - d.same
          from (select row_number() over () as rn, to_jsonb(r.*) as j from old_rows r) o
          join (select row_number() over () as rn, to_jsonb(r.*) as j from new_rows r) n on n.rn = o.rn
          cross join lateral (select array_remove(array[%5$s]::text[], null) as same) d
         where o.j <> n.j or o.j::text <> n.j::text;
      end if;
      get diagnostics v_rows = row_count;
      if v_rows > 0 then
        insert into wayback.statement (id, context_id, table_id, op, at)
        values (v_stmt, wayback.current_context(), %2$s, left(tg_op, 1), clock_timestamp());
      end if;
      return null;
    end
    $body$
  $f$,
    'capture_' || p_table_id,
    p_table_id,
    v_pk,
    replace(v_pk, 'j->', 'o.j->'),
    v_same);
  execute format('revoke all on function wayback.%I() from public', 'capture_' || p_table_id);
end
$$;

-- Brings one tracked table's capture up to date with its current shape: names after a rename, key
-- after a primary-key change, the capture function after column changes, and the triggers on every
-- member of its partition tree (statement triggers fire only on the table a statement names, so
-- each member needs its own, and each write is captured exactly once). Triggers left on tables that
-- were detached from the tree are dropped.
create function wayback.sync_capture(p_table_id int) returns void
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  v_table wayback.tracked_table;
  v_function text := 'capture_' || p_table_id;
  v_pk text[];
  v_missing text;
  -- name, event, transition tables, function (null: the table's capture function)
  v_triggers text[] := array[
    array['wayback_capture_insert', 'after insert', 'referencing new table as new_rows', null],
    array['wayback_capture_update', 'after update', 'referencing old table as old_rows new table as new_rows', null],
    array['wayback_capture_delete', 'after delete', 'referencing old table as old_rows', null],
    array['wayback_block_truncate', 'before truncate', '', 'wayback.block_truncate()']];
  v_trigger text[];
  r record;
begin
  select * into strict v_table from wayback.tracked_table where id = p_table_id;
  if not exists (select from pg_class where oid = v_table.relid) then
    update wayback.tracked_table set untracked_at = now() where id = p_table_id;
    execute format('drop function if exists wayback.%I() cascade', v_function);
    return;
  end if;
  if v_table.key_source = 'primary-key' then
    v_pk := wayback.primary_key_of(v_table.relid);
  end if;
  update wayback.tracked_table t
     set schema_name = n.nspname, table_name = c.relname, key_columns = coalesce(v_pk, t.key_columns)
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where t.id = p_table_id and c.oid = v_table.relid;
  -- The key is kept by name. A primary key follows a rename (read again above), but an explicit key, or
  -- a dropped primary key's columns, would name a column that is gone, and every entry from then on
  -- would have pk [null], impossible to revert. So DDL that does that is refused (this runs in the
  -- event trigger, so the ALTER TABLE rolls back).
  select string_agg(k, ', ') into v_missing
    from wayback.tracked_table t cross join unnest(t.key_columns) k
   where t.id = p_table_id
     and not exists (select from pg_attribute a where a.attrelid = v_table.relid and a.attname = k and a.attnum > 0 and not a.attisdropped);
  if v_missing is not null then
    raise exception using errcode = 'WB001',
      message = format('%s would lose column %s of the key wayback journals its rows by (%s); '
        'run "wayback untrack %s" first, then track it again with a --key that exists',
        v_table.relid::regclass, v_missing, array_to_string(v_table.key_columns, ', '), v_table.relid::regclass);
  end if;
  perform wayback.generate_capture(p_table_id);

  for r in select relid from wayback.tree_of(v_table.relid) loop
    foreach v_trigger slice 1 in array v_triggers loop
      execute format('create or replace trigger %I %s on %s %s for each statement execute function %s',
        v_trigger[1], v_trigger[2], r.relid, v_trigger[3], coalesce(v_trigger[4], format('wayback.%I()', v_function)));
    end loop;
  end loop;

  for r in
    select distinct t.tgrelid::regclass as rel
      from pg_trigger t
     where t.tgfoid = format('wayback.%I()', v_function)::regprocedure
       and t.tgrelid not in (select relid from wayback.tree_of(v_table.relid))
  loop
    foreach v_trigger slice 1 in array v_triggers loop
      execute format('drop trigger if exists %I on %s', v_trigger[1], r.rel);
    end loop;
  end loop;
end
$$;

-- The table and, if it is partitioned, every table below it (pg_partition_tree lists nothing for a
-- table that is not partitioned).
create function wayback.tree_of(p_relid oid) returns table (relid regclass)
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select p_relid::regclass
  union
  select t.relid from pg_partition_tree(p_relid) t join pg_class c on c.oid = t.relid where c.relkind in ('r', 'p')
$$;

create function wayback.primary_key_of(p_relid oid) returns text[]
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select array_agg(a.attname::text order by k.ord)
    from pg_index i
    cross join lateral unnest(i.indkey) with ordinality as k(attnum, ord)
    join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
   where i.indrelid = p_relid and i.indisprimary
$$;


revoke all on all functions in schema wayback from public;
