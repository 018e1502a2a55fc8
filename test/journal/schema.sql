CREATE SCHEMA wayback;

CREATE FUNCTION wayback.block_truncate() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
  raise exception using
    errcode = 'WB001',
    message = format(
      'TRUNCATE of %s is blocked: wayback tracks it and TRUNCATE would leave no way back; '
      'use DELETE (journaled), or run "wayback untrack %s" first',
      tg_table_schema || '.' || tg_table_name, tg_table_schema || '.' || tg_table_name);
end
$$;

CREATE FUNCTION wayback.current_context() RETURNS bigint
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

CREATE FUNCTION wayback.drop_truncate_blockers(p_table regclass) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  r record;
begin
  for r in select relid from wayback.tree_of(p_table) loop
    execute format('drop trigger if exists wayback_block_truncate on %s', r.relid);
  end loop;
end
$$;

CREATE FUNCTION wayback.generate_capture(p_table_id integer) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
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
$_$;

CREATE FUNCTION wayback.on_ddl_command_end() RETURNS event_trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

CREATE FUNCTION wayback.on_sql_drop() RETURNS event_trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

CREATE FUNCTION wayback.primary_key_of(p_relid oid) RETURNS text[]
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select array_agg(a.attname::text order by k.ord)
    from pg_index i
    cross join lateral unnest(i.indkey) with ordinality as k(attnum, ord)
    join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
   where i.indrelid = p_relid and i.indisprimary
$$;

CREATE FUNCTION wayback.sync_capture(p_table_id integer) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

CREATE FUNCTION wayback.track(p_table regclass, p_key text[] DEFAULT NULL::text[]) RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

CREATE FUNCTION wayback.tree_of(p_relid oid) RETURNS TABLE(relid regclass)
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select p_relid::regclass
  union
  select t.relid from pg_partition_tree(p_relid) t join pg_class c on c.oid = t.relid where c.relkind in ('r', 'p')
$$;

CREATE FUNCTION wayback.untrack(p_table regclass) RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

CREATE TABLE wayback.context (
    id bigint NOT NULL,
    txid bigint NOT NULL,
    changeset text NOT NULL,
    feature text,
    kind text,
    actor text,
    app text,
    role text NOT NULL,
    at timestamp with time zone NOT NULL
);

ALTER TABLE wayback.context ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME wayback.context_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE wayback.journal (
    stmt bigint NOT NULL,
    pk jsonb NOT NULL,
    before jsonb,
    after jsonb
)
PARTITION BY RANGE (stmt);

CREATE TABLE wayback.journal_default (
    stmt bigint NOT NULL,
    pk jsonb NOT NULL,
    before jsonb,
    after jsonb
);

CREATE TABLE wayback.statement (
    id bigint NOT NULL,
    context_id bigint NOT NULL,
    table_id integer NOT NULL,
    op "char" NOT NULL,
    at timestamp with time zone NOT NULL,
    CONSTRAINT statement_op_check CHECK ((op = ANY (ARRAY['I'::"char", 'U'::"char", 'D'::"char"])))
)
PARTITION BY RANGE (id);

CREATE TABLE wayback.tracked_table (
    id integer NOT NULL,
    relid oid NOT NULL,
    schema_name text NOT NULL,
    table_name text NOT NULL,
    key_columns text[] NOT NULL,
    key_source text NOT NULL,
    tracked_at timestamp with time zone DEFAULT now() NOT NULL,
    untracked_at timestamp with time zone,
    CONSTRAINT tracked_table_key_source_check CHECK ((key_source = ANY (ARRAY['primary-key'::text, 'explicit'::text])))
);

CREATE VIEW wayback.journal_entry AS
 SELECT j.stmt,
    c.changeset,
    c.feature,
    c.txid,
    ((t.schema_name || '.'::text) || t.table_name) AS table_name,
    j.pk,
    s.op,
    j.before,
    j.after,
    s.at,
    c.app,
    c.role,
    s.context_id,
    s.table_id
   FROM (((wayback.journal j
     JOIN wayback.statement s ON ((s.id = j.stmt)))
     JOIN wayback.context c ON ((c.id = s.context_id)))
     JOIN wayback.tracked_table t ON ((t.id = s.table_id)));

CREATE TABLE wayback.schema_step (
    id integer NOT NULL,
    name text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE wayback.statement_default (
    id bigint NOT NULL,
    context_id bigint NOT NULL,
    table_id integer NOT NULL,
    op "char" NOT NULL,
    at timestamp with time zone NOT NULL,
    CONSTRAINT statement_op_check CHECK ((op = ANY (ARRAY['I'::"char", 'U'::"char", 'D'::"char"])))
);

CREATE SEQUENCE wayback.statement_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER TABLE wayback.tracked_table ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME wayback.tracked_table_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

ALTER TABLE ONLY wayback.journal ATTACH PARTITION wayback.journal_default DEFAULT;

ALTER TABLE ONLY wayback.statement ATTACH PARTITION wayback.statement_default DEFAULT;

ALTER TABLE ONLY wayback.context
    ADD CONSTRAINT context_pkey PRIMARY KEY (id);

ALTER TABLE ONLY wayback.schema_step
    ADD CONSTRAINT schema_step_pkey PRIMARY KEY (id);

ALTER TABLE ONLY wayback.statement
    ADD CONSTRAINT statement_pkey PRIMARY KEY (id);

ALTER TABLE ONLY wayback.statement_default
    ADD CONSTRAINT statement_default_pkey PRIMARY KEY (id);

ALTER TABLE ONLY wayback.tracked_table
    ADD CONSTRAINT tracked_table_pkey PRIMARY KEY (id);

ALTER TABLE ONLY wayback.tracked_table
    ADD CONSTRAINT tracked_table_schema_name_table_name_key UNIQUE (schema_name, table_name);

CREATE INDEX context_at ON wayback.context USING btree (at);

CREATE INDEX context_changeset ON wayback.context USING btree (changeset);

CREATE INDEX context_txid ON wayback.context USING btree (txid);

CREATE INDEX journal_stmt ON ONLY wayback.journal USING brin (stmt);

CREATE INDEX journal_default_stmt_idx ON wayback.journal_default USING brin (stmt);

CREATE INDEX statement_at ON ONLY wayback.statement USING brin (at);

CREATE INDEX statement_context ON ONLY wayback.statement USING btree (context_id);

CREATE INDEX statement_default_at_idx ON wayback.statement_default USING brin (at);

CREATE INDEX statement_default_context_id_idx ON wayback.statement_default USING btree (context_id);

ALTER INDEX wayback.journal_stmt ATTACH PARTITION wayback.journal_default_stmt_idx;

ALTER INDEX wayback.statement_at ATTACH PARTITION wayback.statement_default_at_idx;

ALTER INDEX wayback.statement_context ATTACH PARTITION wayback.statement_default_context_id_idx;

ALTER INDEX wayback.statement_pkey ATTACH PARTITION wayback.statement_default_pkey;

REVOKE ALL ON FUNCTION wayback.block_truncate() FROM PUBLIC;

REVOKE ALL ON FUNCTION wayback.current_context() FROM PUBLIC;

REVOKE ALL ON FUNCTION wayback.drop_truncate_blockers(p_table regclass) FROM PUBLIC;

REVOKE ALL ON FUNCTION wayback.generate_capture(p_table_id integer) FROM PUBLIC;

REVOKE ALL ON FUNCTION wayback.on_ddl_command_end() FROM PUBLIC;

REVOKE ALL ON FUNCTION wayback.on_sql_drop() FROM PUBLIC;

REVOKE ALL ON FUNCTION wayback.primary_key_of(p_relid oid) FROM PUBLIC;

REVOKE ALL ON FUNCTION wayback.sync_capture(p_table_id integer) FROM PUBLIC;

REVOKE ALL ON FUNCTION wayback.track(p_table regclass, p_key text[]) FROM PUBLIC;

REVOKE ALL ON FUNCTION wayback.tree_of(p_relid oid) FROM PUBLIC;

REVOKE ALL ON FUNCTION wayback.untrack(p_table regclass) FROM PUBLIC;
