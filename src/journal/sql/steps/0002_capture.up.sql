-- 0002 capture: the functions that write the journal, and those that keep a table's journal, capture
-- function and triggers in step with its shape.

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

-- How a column's values are stored in the journal: its type, or a domain's base type (a NULL that means
-- "unchanged" must fit, whatever NOT NULL or CHECK the domain has).
create function wayback.storage_type(p_type oid, p_typmod int) returns text
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select case when t.typtype = 'd' then format_type(t.typbasetype, t.typtypmod) else format_type(p_type, p_typmod) end
    from pg_type t where t.oid = p_type
$$;

-- Whether two values of a type are compared by their text: when = calls different values equal (a
-- numeric's scale: 1.5 = 1.50, also inside jsonb and arrays) or the type has no = at all (json, point).
create function wayback.compares_as_text(p_type oid) returns boolean
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  with recursive parts(oid) as (
    select p_type
    union
    select coalesce(nullif(t.typelem, 0), nullif(t.typbasetype, 0))
      from parts p join pg_type t on t.oid = p.oid
     where t.typcategory = 'A' or t.typtype = 'd'
  )
  select bool_or(
           p.oid in ('numeric'::regtype, 'json'::regtype, 'jsonb'::regtype)
           or t.typtype = 'c'
           or not exists (select from pg_opclass c join pg_am m on m.oid = c.opcmethod
                           where m.amname = 'btree' and c.opcdefault and c.opcintype = p.oid))
    from parts p join pg_type t on t.oid = p.oid
   where t.typcategory <> 'A' and t.typtype <> 'd'
$$;

-- Brings a tracked table's slots in line with its columns: a new column (or a new type) gets a new slot
-- and a pair of journal columns; a dropped column's slot is retired; a renamed column keeps its slot.
-- Creates the table's journal on first use.
create function wayback.sync_columns(p_table_id int) returns void
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  v_relid oid := (select relid from wayback.tracked_table where id = p_table_id);
  v_journal text := 'journal_' || p_table_id;
  -- The last statement number handed out: statements on this table after now get higher ones (this DDL
  -- holds the table's lock until it commits).
  v_now bigint := (select case when is_called then last_value else last_value - 1 end from wayback.statement_seq);
  v_slot int;
  v_col record;
begin
  if to_regclass(format('wayback.%I', v_journal)) is null then
    -- op … at: a single-row statement's metadata (see wayback.bulk_statement), null on a bulk statement's rows.
    execute format('create table wayback.%I (stmt bigint not null, op "char", txid bigint, changeset text, feature text, '
                   'kind text, actor text, app text, role text, at timestamptz) partition by range (stmt)', v_journal);
    execute format('create table wayback.%I partition of wayback.%I default', v_journal || '_default', v_journal);
    execute format('create index %I on wayback.%I using brin (stmt)', v_journal || '_stmt', v_journal);
    execute format('create index %I on wayback.%I (changeset) where op is not null', v_journal || '_changeset', v_journal);
    execute format('create index %I on wayback.%I (txid) where op is not null', v_journal || '_txid', v_journal);
    execute format('create index %I on wayback.%I using brin (at) where op is not null', v_journal || '_at', v_journal);
  end if;

  update wayback.tracked_column c
     set until_stmt = v_now
   where c.table_id = p_table_id and c.until_stmt is null
     and not exists (
       select from pg_attribute a
        where a.attrelid = v_relid and a.attnum = c.attnum and not a.attisdropped
          and wayback.storage_type(a.atttypid, a.atttypmod) = c.type);
  update wayback.tracked_column c
     set name = a.attname, generated = a.attgenerated <> ''
    from pg_attribute a
   where c.table_id = p_table_id and c.until_stmt is null and a.attrelid = v_relid and a.attnum = c.attnum;

  for v_col in
    select a.attnum, a.attname, wayback.storage_type(a.atttypid, a.atttypmod) as type,
           wayback.compares_as_text(a.atttypid) as as_text, a.attgenerated <> '' as generated
      from pg_attribute a
     where a.attrelid = v_relid and a.attnum > 0 and not a.attisdropped
       and not exists (select from wayback.tracked_column c
                        where c.table_id = p_table_id and c.attnum = a.attnum and c.until_stmt is null)
     order by a.attnum
  loop
    v_slot := coalesce((select max(slot) from wayback.tracked_column where table_id = p_table_id), 0) + 1;
    insert into wayback.tracked_column (table_id, slot, attnum, name, type, compare_as_text, generated, since_stmt)
    values (p_table_id, v_slot, v_col.attnum, v_col.attname, v_col.type, v_col.as_text, v_col.generated, v_now);
    execute format('alter table wayback.%I add column %I %s, add column %I %s', v_journal, 'b' || v_slot, v_col.type, 'a' || v_slot, v_col.type);
  end loop;
end
$$;

-- Writes the capture function of one tracked table: one set-based insert of the statement's rows into
-- the table's journal, with the statement's metadata (its transaction's tags) on the row when it wrote
-- one, or else, if it wrote any, in one row of wayback.bulk_statement. An UPDATE that changes nothing
-- leaves no trace.
-- Old and new rows of an UPDATE are paired by position in the transition tables, which PostgreSQL fills
-- in step, one old and one new row per updated row (also for rows moved across partitions): pairing on
-- the key instead would lose or mismatch the rows whose key the UPDATE changed.
-- PL/pgSQL plans the function's queries once per session, sized by the transition tables of the first
-- call, and keeps the plans. So a statement of one row runs queries of its own, and a larger one runs
-- its queries with nested loops, merge joins and JIT off, which is when they are planned. Before, a
-- session whose first UPDATE wrote one row paired every later UPDATE by nested loop, quadratic in its
-- rows (48 s for 20k rows, measured), and one whose first statement was large enough to compile would
-- have compiled on every call after. Setting them in the function's own SET clause cost every
-- single-row write about 25 µs (measured, 2 clients), where checking for a second row costs a few.
-- Hashing pairs 100k rows in less time than sorting both sides for a merge join: the capture's trigger
-- time 249 against 263 ms (EXPLAIN ANALYZE, medians of 6, default work_mem).
-- The function names the table's columns, so DDL must regenerate it: the event trigger does, in the
-- same transaction as the DDL, which is why track refuses to start without the event trigger.
create function wayback.generate_capture(p_table_id int) returns void
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  v_table wayback.tracked_table;
  v_journal text := 'journal_' || p_table_id;
  v_columns text;   -- the journal's value columns, in slot order: b1, a1, b2, a2, …
  v_old_picks text; -- r."col" as o1, …  (an old row's columns under names of ours)
  v_new_picks text; -- r."col" as w1, …  (a new row's)
  v_changed text;   -- o1 is distinct from w1 as d1, …
  v_any_change text;
  v_befores text;   -- r."col", null, …   (for b/a pairs of a DELETE)
  v_afters text;    -- null, r."col", …   (for b/a pairs of an INSERT)
  v_pairs text;     -- case when x.d1 then x.o1 end, case when x.d1 then x.w1 end, …
  v_write text;     -- the statement's insert into the journal, with <<metadata columns>>, <<metadata>>, <<pairs>> to fill
  v_metadata_columns text := 'op, txid, changeset, feature, kind, actor, app, role, at';
  v_metadata text := $m$left(tg_op, 1), txid_current(),
                coalesce(nullif(current_setting('wayback.changeset', true), ''), 'tx:' || txid_current()),
                nullif(current_setting('wayback.feature', true), ''),
                nullif(current_setting('wayback.kind', true), ''),
                nullif(current_setting('wayback.actor', true), ''),
                nullif(current_setting('application_name', true), ''),
                -- Capture runs as the journal's owner (security definer); the role setting still names who wrote.
                coalesce(nullif(current_setting('role', true), 'none'), session_user),
                clock_timestamp()$m$;
  -- (a key column's before value is always kept: it names the row an UPDATE changed)
begin
  select * into strict v_table from wayback.tracked_table where id = p_table_id;
  select string_agg(format('b%1$s, a%1$s', c.slot), ', ' order by c.slot),
         string_agg(format('r.%I as o%s', c.name, c.slot), ', ' order by c.slot),
         string_agg(format('r.%I as w%s', c.name, c.slot), ', ' order by c.slot),
         string_agg(format(case when c.compare_as_text then 'o%1$s::text is distinct from w%1$s::text as d%1$s'
                                else 'o%1$s is distinct from w%1$s as d%1$s' end, c.slot), ', ' order by c.slot),
         string_agg(format('x.d%s', c.slot), ' or ' order by c.slot),
         string_agg(format('r.%I, null', c.name), ', ' order by c.slot),
         string_agg(format('null, r.%I', c.name), ', ' order by c.slot),
         string_agg(format(case when c.name = any (v_table.key_columns) then 'x.o%1$s, case when x.d%1$s then x.w%1$s end'
                                else 'case when x.d%1$s then x.o%1$s end, case when x.d%1$s then x.w%1$s end' end, c.slot), ', ' order by c.slot)
    into v_columns, v_old_picks, v_new_picks, v_changed, v_any_change, v_befores, v_afters, v_pairs
    from wayback.tracked_column c
   where c.table_id = p_table_id and c.until_stmt is null;

  v_write := format($w$
        if tg_op = 'INSERT' then
          insert into wayback.%1$I (stmt<<metadata columns>>, %2$s) select v_stmt<<metadata>>, %3$s from new_rows r;
        elsif tg_op = 'DELETE' then
          insert into wayback.%1$I (stmt<<metadata columns>>, %2$s) select v_stmt<<metadata>>, %4$s from old_rows r;
        else
          insert into wayback.%1$I (stmt<<metadata columns>>, %2$s)
          select v_stmt<<metadata>>, %5$s
            from (select o.*, w.*, %6$s from <<pairs>> offset 0) x
           where %7$s;
        end if;$w$,
    v_journal, v_columns, v_afters, v_befores, v_pairs, v_changed, v_any_change);

  execute format($f$
    create or replace function wayback.%1$I() returns trigger
    language plpgsql
    security definer
    set search_path = pg_catalog, pg_temp
    as $body$
    declare
      v_stmt bigint := nextval('wayback.statement_seq');
      v_rows bigint;
      v_many boolean;
      v_jit text;
      v_nestloop text;
      v_mergejoin text;
    begin
      if tg_op = 'INSERT' then
        v_many := exists (select from new_rows offset 1);
      else
        v_many := exists (select from old_rows offset 1);
      end if;
      if not v_many then%3$s
        return null;
      end if;
      v_jit := current_setting('jit');
      v_nestloop := current_setting('enable_nestloop');
      v_mergejoin := current_setting('enable_mergejoin');
      perform set_config('jit', 'off', true), set_config('enable_nestloop', 'off', true), set_config('enable_mergejoin', 'off', true);%4$s
      get diagnostics v_rows = row_count;
      perform set_config('jit', v_jit, true), set_config('enable_nestloop', v_nestloop, true),
              set_config('enable_mergejoin', v_mergejoin, true);
      if v_rows > 0 then
        insert into wayback.bulk_statement (id, table_id, rows, %5$s)
        values (v_stmt, %2$s, v_rows, %6$s);
      end if;
      return null;
    end
    $body$
  $f$,
    'capture_' || p_table_id, p_table_id,
    replace(replace(replace(v_write, '<<pairs>>', format('(select %s from old_rows r) o cross join (select %s from new_rows r) w', v_old_picks, v_new_picks)),
      '<<metadata columns>>', ', ' || v_metadata_columns), '<<metadata>>', ', ' || v_metadata),
    replace(replace(replace(v_write, '<<pairs>>', format(
      '(select row_number() over () as n, %s from old_rows r) o join (select row_number() over () as m, %s from new_rows r) w on w.m = o.n',
      v_old_picks, v_new_picks)), '<<metadata columns>>', ''), '<<metadata>>', ''),
    v_metadata_columns, v_metadata);
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
  perform wayback.sync_columns(p_table_id);
  perform wayback.generate_capture(p_table_id);
  perform wayback.refresh_entry_view();

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
