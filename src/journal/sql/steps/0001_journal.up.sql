-- 0001 journal: where every tracked write leaves its before-image.
--
-- A journal entry is one row written by one statement: (at, stmt, context, table, key, op, before, after).
-- For an UPDATE, before/after hold only the columns whose value changed. Entries point at a context,
-- one per (transaction, change set, feature), so the per-transaction facts (txid, change set, role,
-- application_name) are written once per transaction, not once per row.

create table wayback.tracked_table (
  id int generated always as identity primary key,
  relid oid not null,
  schema_name text not null,
  table_name text not null,
  key_columns text[] not null,
  key_source text not null check (key_source in ('primary-key', 'explicit')),
  tracked_at timestamptz not null default now(),
  untracked_at timestamptz,
  unique (schema_name, table_name)
);

create table wayback.context (
  id bigint generated always as identity primary key,
  txid bigint not null,
  changeset text not null,
  feature text,
  kind text,
  actor text,
  app text,
  role text not null,
  at timestamptz not null
);
create index context_changeset on wayback.context (changeset);
create index context_txid on wayback.context (txid);
create index context_at on wayback.context (at);

-- Orders statements across sessions. No cache: with a cache each session would draw from its own range,
-- and two writes to one row could be numbered against the order they happened in.
create sequence wayback.statement_seq as bigint cache 1;

-- Partitioned by time so retention can drop whole partitions; everything lands in the default
-- partition until retention adds ranges. BRIN indexes: entries arrive in stmt/context/time order,
-- and a BRIN index costs next to nothing per row written.
create table wayback.journal (
  at timestamptz not null,
  stmt bigint not null,
  context_id bigint not null,
  table_id int not null,
  op "char" not null check (op in ('I', 'U', 'D')),
  pk jsonb not null,
  before jsonb,
  after jsonb
) partition by range (at);
create table wayback.journal_default partition of wayback.journal default;
create index journal_stmt on wayback.journal using brin (stmt);
create index journal_context on wayback.journal using brin (context_id);
create index journal_at on wayback.journal using brin (at);

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

-- Writes the capture function of one tracked table. Column and key names go into the function only as
-- string literals (jsonb keys), never as identifiers, so a column dropped or renamed later cannot make
-- the user's write fail: it just stops matching. Old and new rows of an UPDATE are paired by position
-- in the transition tables, which PostgreSQL fills in step, one old and one new row per updated row.
-- Pairing on the key instead would lose or mismatch rows whose key the UPDATE changed.
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
  select coalesce(string_agg(format('case when o.j->%1$L = n.j->%1$L then %1$L end', a.attname), ', ' order by a.attnum), '')
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
      v_at timestamptz := clock_timestamp();
      v_context bigint;
      v_stmt bigint;
    begin
      if tg_op = 'DELETE' then
        if not exists (select from old_rows) then return null; end if;
      elsif not exists (select from new_rows) then
        return null;
      end if;
      v_context := wayback.current_context();
      v_stmt := nextval('wayback.statement_seq');
      if tg_op = 'INSERT' then
        insert into wayback.journal (at, stmt, context_id, table_id, op, pk, before, after)
        select v_at, v_stmt, v_context, %2$s, 'I', %3$s, null, j
          from (select to_jsonb(r) as j from new_rows r) s;
      elsif tg_op = 'DELETE' then
        insert into wayback.journal (at, stmt, context_id, table_id, op, pk, before, after)
        select v_at, v_stmt, v_context, %2$s, 'D', %3$s, j, null
          from (select to_jsonb(r) as j from old_rows r) s;
      else
        insert into wayback.journal (at, stmt, context_id, table_id, op, pk, before, after)
        select v_at, v_stmt, v_context, %2$s, 'U', %4$s, o.j - d.same, n.j - d.same
          from (select row_number() over () as rn, to_jsonb(r) as j from old_rows r) o
          join (select row_number() over () as rn, to_jsonb(r) as j from new_rows r) n on n.rn = o.rn
          cross join lateral (select array_remove(array[%5$s]::text[], null) as same) d
         where o.j <> n.j;
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

-- (tree_of and primary_key_of are defined below; plpgsql resolves calls when it runs.)
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
  perform wayback.generate_capture(p_table_id);

  for r in select relid from wayback.tree_of(v_table.relid) loop
    execute format('create or replace trigger wayback_capture_insert after insert on %s referencing new table as new_rows for each statement execute function wayback.%I()', r.relid, v_function);
    execute format('create or replace trigger wayback_capture_update after update on %s referencing old table as old_rows new table as new_rows for each statement execute function wayback.%I()', r.relid, v_function);
    execute format('create or replace trigger wayback_capture_delete after delete on %s referencing old table as old_rows for each statement execute function wayback.%I()', r.relid, v_function);
    execute format('create or replace trigger wayback_block_truncate before truncate on %s for each statement execute function wayback.block_truncate()', r.relid);
  end loop;

  for r in
    select distinct t.tgrelid::regclass as rel
      from pg_trigger t
     where t.tgfoid = format('wayback.%I()', v_function)::regprocedure
       and t.tgrelid not in (select relid from wayback.tree_of(v_table.relid))
  loop
    execute format('drop trigger if exists wayback_capture_insert on %s', r.rel);
    execute format('drop trigger if exists wayback_capture_update on %s', r.rel);
    execute format('drop trigger if exists wayback_capture_delete on %s', r.rel);
    execute format('drop trigger if exists wayback_block_truncate on %s', r.rel);
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

-- Keeps capture in step with DDL: a new partition gets its triggers, a renamed table or changed key is
-- picked up, a dropped table stops being tracked. Only the trees the command touched are synced.
create function wayback.on_ddl_command_end() returns event_trigger
language plpgsql
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
set search_path = pg_catalog, pg_temp
as $$
begin
  update wayback.tracked_table t
     set untracked_at = now()
    from pg_event_trigger_dropped_objects() d
   where d.classid = 'pg_class'::regclass and d.objid = t.relid and d.objsubid = 0 and t.untracked_at is null;
end
$$;

-- Event triggers need a superuser. Without one, capture still works; after DDL on a tracked table,
-- "wayback track" refreshes it, and "wayback status" shows which tables need that.
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

-- Application roles get nothing here: they write tracked tables, and capture runs as this schema's
-- owner (security definer), so the journal stays append-only for them.
revoke all on schema wayback from public;
revoke all on all tables in schema wayback from public;
revoke all on all sequences in schema wayback from public;
revoke all on all functions in schema wayback from public;

-- Every journal entry with its context, for people reading the journal from psql.
create view wayback.journal_entry as
select j.stmt, c.changeset, c.feature, c.txid, t.schema_name || '.' || t.table_name as table_name,
       j.pk, j.op, j.before, j.after, j.at, c.app, c.role
  from wayback.journal j
  join wayback.context c on c.id = j.context_id
  join wayback.tracked_table t on t.id = j.table_id;
revoke all on wayback.journal_entry from public;
