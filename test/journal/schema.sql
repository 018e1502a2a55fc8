CREATE SCHEMA wayback;

CREATE TYPE wayback.plan_cell AS (
	name text,
	wrote boolean,
	base text,
	written text,
	current text,
	touched boolean,
	touched_before_last boolean,
	last_before text,
	alive boolean,
	name_alive boolean,
	generated boolean
);

CREATE TYPE wayback.plan_step AS (
	table_id integer,
	key jsonb,
	action text,
	kind text,
	column_name text,
	base text,
	written text,
	current text,
	cells jsonb
);

CREATE FUNCTION wayback.apply_moved(p_table_id integer, p_step_no bigint, p_statement text) RETURNS SETOF wayback.plan_step
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
declare
  v_table wayback.tracked_table;
  v_step record;
  v_now jsonb;
  v_keep jsonb;
  v_cell record;
begin
  select * into strict v_table from wayback.tracked_table where id = p_table_id;
  select * into strict v_step from pg_temp.wayback_plan where step_no = p_step_no;
  execute format('select jsonb_build_object(%s) from %I.%I t where %s for update',
                 (select string_agg(format('%L, t.%I::text', k, k), ', ') from jsonb_object_keys(v_step.cells) k),
                 v_table.schema_name, v_table.table_name, wayback.key_match_sql(p_table_id, 't', '$1'))
    into v_now using v_step.key;
  update pg_temp.wayback_plan set action = 'failed' where step_no = p_step_no;
  if v_now is null then
    if v_step.action = 'update' then
      return next row(p_table_id, v_step.key, 'conflict', 'row-deleted-later', null, null, null, null, null)::wayback.plan_step;
    end if;
    return;
  end if;
  if v_step.action = 'delete' then
    return next row(p_table_id, v_step.key, 'conflict', 'row-modified-later', null, null, null, null, null)::wayback.plan_step;
    return;
  end if;
  v_keep := '{}';
  for v_cell in select e.key as name, e.value as planned from jsonb_each(v_step.cells) e loop
    if (v_now->>v_cell.name) is not distinct from (v_cell.planned->>'expected') then
      v_keep := v_keep || jsonb_build_object(v_cell.name, v_cell.planned);
    elsif (v_now->>v_cell.name) is not distinct from (v_cell.planned->>'base') then
      null; -- already back at its base (the same plan applied twice): nothing to do
    else
      return next row(p_table_id, v_step.key, 'conflict', 'cell-changed-later', v_cell.name, v_cell.planned->>'base',
                      v_cell.planned->>'expected', v_now->>v_cell.name, null)::wayback.plan_step;
    end if;
  end loop;
  if v_keep = '{}' then return; end if;
  begin
    execute p_statement using p_step_no, v_step.key, v_keep;
    update pg_temp.wayback_plan set action = 'update', cells = v_keep where step_no = p_step_no;
  exception when integrity_constraint_violation or check_violation or not_null_violation or data_exception then
    return next row(p_table_id, v_step.key, 'conflict', case when sqlstate like '22%' then 'schema-changed' else 'constraint' end,
                    null, null, null, null, null)::wayback.plan_step;
  end;
end
$_$;

CREATE FUNCTION wayback.apply_table(p_table_id integer, p_action text) RETURNS SETOF wayback.plan_step
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
declare
  v_table wayback.tracked_table;
  v_live regclass;
  v_match text;
  v_columns text[];  -- the columns this table's steps of this kind name
  v_statement text;  -- for updates and deletes: the statement, with <<rows>> where its plan rows go
  v_all_rows text;
  v_one_row text := '(select $1::bigint as step_no, $2::jsonb as key, $3::jsonb as cells) p where';
  v_shape text[];
  v_done bigint[] := '{}';
  v_pending bigint[];
  v_failed jsonb := '{}';  -- step_no → the SQLSTATE that refused it
  v_progress boolean := true;
  v_step record;
  v_rows int;
begin
  select * into strict v_table from wayback.tracked_table where id = p_table_id;
  v_live := format('%I.%I', v_table.schema_name, v_table.table_name)::regclass;
  v_all_rows := format('pg_temp.wayback_plan p where p.table_id = %s and p.action = %L and', p_table_id, p_action);
  -- (the set-returning call in the select list: half the time of a lateral join to it, at 100k steps)
  select array_agg(distinct k) into v_columns
    from (select jsonb_object_keys(p.cells) as k from pg_temp.wayback_plan p where p.table_id = p_table_id and p.action = p_action) c;
  if v_columns is null then return; end if;

  v_match := wayback.key_match_sql(p_table_id, 't', 'p.key');
  -- Only the columns some step names are set: others may be generated, or identity columns that
  -- refuse any value.
  if p_action = 'update' then
    select format('update %s t set %s from <<rows>> %s and %s returning p.step_no', v_live,
             string_agg(format('%1$I = case when p.cells ? %1$L then (p.cells->%1$L->>''base'')::%2$s else t.%1$I end', a.attname, format_type(a.atttypid, a.atttypmod)), ', '),
             v_match,
             string_agg(format('(not p.cells ? %1$L or t.%1$I::text is not distinct from p.cells->%1$L->>''expected'')', a.attname), ' and '))
      into v_statement
      from pg_attribute a
     where a.attrelid = v_live and a.attname = any (v_columns) and not a.attisdropped;
  elsif p_action = 'delete' then
    select format('delete from %s t using <<rows>> %s and %s returning p.step_no', v_live, v_match,
             string_agg(format('(not p.cells ? %1$L or t.%1$I::text is not distinct from p.cells->>%1$L)', a.attname), ' and '))
      into v_statement
      from pg_attribute a
     where a.attrelid = v_live and a.attname = any (v_columns) and not a.attisdropped;
  end if;

  begin
    if p_action = 'reinsert' then
      for v_shape in select distinct array(select jsonb_object_keys(p.cells) order by 1)
                       from pg_temp.wayback_plan p where p.table_id = p_table_id and p.action = 'reinsert' loop
        execute replace(wayback.reinsert_sql(v_live, v_shape), '<<rows>>', v_all_rows);
      end loop;
      return;
    end if;
    execute format('with done as (%s) select array_agg(step_no) from done', replace(v_statement, '<<rows>>', v_all_rows)) into v_done;
    -- Steps that matched no row: the row moved or went since the plan was made.
    for v_step in select p.step_no from pg_temp.wayback_plan p
                   where p.table_id = p_table_id and p.action = p_action and not (p.step_no = any (coalesce(v_done, '{}')))
                   order by p.step_no loop
      return query select * from wayback.apply_moved(p_table_id, v_step.step_no, replace(v_statement, '<<rows>>', v_one_row));
    end loop;
    return;
  exception when integrity_constraint_violation or check_violation or not_null_violation or data_exception then
    null; -- some row is refused: go row by row below to find which
  end;

  select array_agg(p.step_no order by p.step_no) into v_pending
    from pg_temp.wayback_plan p where p.table_id = p_table_id and p.action = p_action;
  while v_progress and v_pending <> '{}' loop
    v_progress := false;
    for v_step in select p.* from pg_temp.wayback_plan p where p.step_no = any (v_pending) order by p.step_no loop
      begin
        execute replace(coalesce(v_statement, wayback.reinsert_sql(v_live, array(select jsonb_object_keys(v_step.cells)))), '<<rows>>', v_one_row)
          using v_step.step_no, v_step.key, v_step.cells;
        get diagnostics v_rows = row_count;
        v_pending := array_remove(v_pending, v_step.step_no);
        v_progress := true;
        if v_rows = 0 then
          return query select * from wayback.apply_moved(p_table_id, v_step.step_no, replace(v_statement, '<<rows>>', v_one_row));
        end if;
      exception when integrity_constraint_violation or check_violation or not_null_violation or data_exception then
        v_failed := v_failed || jsonb_build_object(v_step.step_no::text, sqlstate);
      end;
    end loop;
    -- Only a re-insert can be waiting for another row of the same table to come back first.
    v_progress := v_progress and p_action = 'reinsert';
  end loop;

  return query
    update pg_temp.wayback_plan p set action = 'failed'
     where p.step_no = any (v_pending)
    returning p.table_id, p.key, 'conflict'::text,
              case when v_failed->>p.step_no::text = '23505' and p_action = 'reinsert' then 'pk-taken'
                   when v_failed->>p.step_no::text = '23503' and p_action = 'delete' then 'referenced-by-later-rows'
                   when v_failed->>p.step_no::text like '22%' then 'schema-changed'
                   else 'constraint' end,
              null::text, null::text, null::text, null::text, null::jsonb;
end
$_$;

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

CREATE FUNCTION wayback.compares_as_text(p_type oid) RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

CREATE FUNCTION wayback.decide(p_table_id integer, p_key jsonb, p_first_op text, p_last_op text, p_key_change boolean, p_others_after boolean, p_present boolean, p_cells wayback.plan_cell[], p_force boolean) RETURNS SETOF wayback.plan_step
    LANGUAGE plpgsql IMMUTABLE ROWS 2
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  c wayback.plan_cell;
  v_image jsonb := '{}';
  v_restore jsonb := '{}';
  v_current jsonb := '{}';
  v_conflicts int := 0;
  v_conflict wayback.plan_step;
begin
  v_conflict := row(p_table_id, p_key, 'conflict', null, null, null, null, null, null)::wayback.plan_step;
  if p_key_change then
    v_conflict.kind := 'row-modified-later';
    return next v_conflict;
    return;
  end if;

  if p_first_op = 'I' then
    -- A row the selection inserted: delete it, unless it is already gone or someone else wrote it since.
    if p_last_op = 'D' or not p_present then return; end if;
    if p_others_after and not p_force then
      v_conflict.kind := 'row-modified-later';
      return next v_conflict;
      return;
    end if;
    foreach c in array p_cells loop
      if c.alive then v_current := v_current || jsonb_build_object(c.name, c.current); end if;
    end loop;
    return next row(p_table_id, p_key, 'delete', null, null, null, null, null, v_current)::wayback.plan_step;
    return;
  end if;

  if p_last_op = 'D' then
    -- A row the selection deleted comes back as it was before S's first write of each cell, unless its
    -- key is taken now or a cell S wrote was written by someone else before S's delete: a conflict
    -- keeps current, and current is no row, so the row then stays out. (DESIGN.md: writes by others
    -- after the delete that left the key free do not stop it.)
    if p_present then
      -- The row back exactly as it was is a revert already done (a second run, after a crash), not a taken key.
      foreach c in array p_cells loop
        continue when not c.wrote or not c.name_alive or c.generated or c.current is not distinct from c.base;
        v_conflict.kind := 'pk-taken';
        return next v_conflict;
        return;
      end loop;
      return;
    end if;
    foreach c in array p_cells loop
      continue when not c.wrote or not c.name_alive;
      if c.touched_before_last and c.last_before is distinct from c.base and not p_force then
        v_conflicts := v_conflicts + 1;
        return next row(p_table_id, p_key, 'conflict', 'cell-changed-later', c.name, c.base, c.written, c.last_before, null)::wayback.plan_step;
      elsif not c.generated then
        v_image := v_image || jsonb_build_object(c.name, c.base);
      end if;
    end loop;
    if v_conflicts = 0 then
      return next row(p_table_id, p_key, 'reinsert', null, null, null, null, null, v_image)::wayback.plan_step;
    end if;
    return;
  end if;

  -- A row that existed before the selection and exists after it (S updated it, or deleted it and
  -- inserted the key again): each cell S wrote goes back to its base unless someone else wrote it since.
  if not p_present then
    v_conflict.kind := 'row-deleted-later';
    return next v_conflict;
    return;
  end if;
  foreach c in array p_cells loop
    continue when not c.wrote or c.generated;
    if not c.alive then
      return next row(p_table_id, p_key, 'conflict', 'schema-changed', c.name, c.base, c.written, c.current, null)::wayback.plan_step;
    elsif c.current is not distinct from c.base then
      null; -- already as it was
    elsif p_force or (not c.touched and c.current is not distinct from c.written) then
      v_restore := v_restore || jsonb_build_object(c.name, jsonb_build_object('base', c.base, 'expected', c.current));
    else
      return next row(p_table_id, p_key, 'conflict', 'cell-changed-later', c.name, c.base, c.written, c.current, null)::wayback.plan_step;
    end if;
  end loop;
  if v_restore <> '{}' then
    return next row(p_table_id, p_key, 'update', null, null, null, null, null, v_restore)::wayback.plan_step;
  end if;
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
$_$;

CREATE FUNCTION wayback.image_sql(p_rows text[]) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$
  select format('(select jsonb_object_agg(v.k, v.x) from (values %s) v(k, present, x) where v.present)', array_to_string(p_rows, ', '))
$$;

CREATE FUNCTION wayback.key_match_sql(p_table_id integer, p_row text, p_key text) RETURNS text
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select string_agg(format('%s.%I = (%s->>%L)::%s', p_row, k.name, p_key, k.name, k.type), ' and ' order by u.ord)
    from wayback.tracked_table t
    cross join unnest(t.key_columns) with ordinality u(name, ord)
    join wayback.tracked_column k on k.table_id = t.id and k.name = u.name and k.until_stmt is null
   where t.id = p_table_id
$$;

CREATE FUNCTION wayback.mark_referenced(p_table_id integer) RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_table wayback.tracked_table;
  v_live regclass;
  k record;
  v_child_id int;
  v_match text;
  v_child_key text;
  v_rows int;
  v_marked int := 0;
begin
  select * into strict v_table from wayback.tracked_table where id = p_table_id;
  v_live := to_regclass(format('%I.%I', v_table.schema_name, v_table.table_name));
  if v_live is null then return 0; end if;
  for k in select c.conrelid, c.conkey, c.confkey from pg_constraint c where c.confrelid = v_live and c.contype = 'f' loop
    select string_agg(format('c.%I = (p.cells->>%L)::%s', ca.attname, pa.attname, format_type(pa.atttypid, pa.atttypmod)), ' and ')
      into v_match
      from unnest(k.conkey, k.confkey) as u(child_att, parent_att)
      join pg_attribute ca on ca.attrelid = k.conrelid and ca.attnum = u.child_att
      join pg_attribute pa on pa.attrelid = v_live and pa.attnum = u.parent_att;
    select t.id into v_child_id from wayback.tracked_table t where t.relid = k.conrelid and t.untracked_at is null;
    -- A referencing row the plan deletes, or moves off this row (an update of its foreign key), does not count.
    v_child_key := case when v_child_id is null then 'true' else format(
      'not exists (select from pg_temp.wayback_plan d where d.table_id = %s and %s
         and (d.action = ''delete'' or (d.action = ''update'' and d.cells ?| %L::text[])))',
      v_child_id, wayback.key_match_sql(v_child_id, 'c', 'd.key'),
      (select array_agg(a.attname::text) from unnest(k.conkey) u(att) join pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.att)) end;
    execute format(
      'update pg_temp.wayback_plan p set action = ''conflict'', kind = ''referenced-by-later-rows'', cells = null
        where p.table_id = %s and p.action = ''delete''
          and exists (select from %s c where %s and %s)',
      p_table_id, k.conrelid::regclass, v_match, v_child_key);
    get diagnostics v_rows = row_count;
    v_marked := v_marked + v_rows;
  end loop;
  return v_marked;
end
$$;

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

CREATE FUNCTION wayback.plan_table(p_table_id integer, p_selected bigint[], p_force boolean, p_restore boolean) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    SET enable_nestloop TO 'on'
    SET jit TO 'off'
    AS $_$
declare
  v_table wayback.tracked_table;
  v_journal text := format('wayback.%I', 'journal_' || p_table_id);
  v_live text;
  v_first bigint := (select min(s) from unnest(p_selected) s);
  v_last bigint := (select max(s) from unnest(p_selected) s);
  v_slots int[];           -- the slots of the columns S wrote
  v_wrote boolean[];
  v_inserted_or_deleted boolean := false;
  -- The selected statements that wrote one row, whose metadata is on it (the others are bulk statements).
  v_single_rows bigint := cardinality(p_selected) - (select count(*) from wayback.bulk_statement s where s.id = any (p_selected));
  v_entry_key text;        -- an entry's key columns k1, k2…: after values for I, before values for U/D
  v_key_list text;         -- k1, k2…
  v_key_json text;         -- the key as {column: text}
  v_key_match text;        -- the live row of the key, as cur
  v_key_change text;       -- true when an UPDATE entry changed the key
  v_entry_cols text;       -- per slot: whether the entry wrote it, its before and after text
  v_window_cols text;      -- per slot: S's first write and last update/insert of it on this row
  v_row_cols text;         -- per slot: base, written, touched… of the row
  v_entry_row_cols text;   -- the same, of a row whose timeline is one entry
  v_one_statement boolean; -- one selected statement wrote every entry since S's first
  v_cells text;            -- per slot: a wayback.plan_cell
  v_clean text;            -- true when S only updated the row and every cell it wrote is clean
  v_clean_cells text;      -- the update step's cells of a clean row
  v_restore_cols text;     -- per live slot: whether a clean row restores it, its base and its value now
  v_any_step text;         -- true when a clean row has a cell to restore (p: a planned row)
  v_set text;              -- the typed UPDATE of clean rows: SET list, whether it restores a cell of the row (r),
  v_any_restore text;      --   which rows it can take (no cell it must leave to a step),
  v_in_place text;         --   and how many cells it restores in a row
  v_update_match text;     -- the live row (t) of a row S wrote (r)
  v_restore_match text;    -- a restored row (x) is this row (r)
  v_r_key_list text;       -- r.k1, r.k2…
  v_restored_cells text;
  v_sql text;
  v_timeline text;         -- the rows S wrote (r), from their entries (e) and timelines (w)
  v_planned text;          -- the rows S wrote that the UPDATE did not restore, with their live row and cells
  v_untouched text;        -- true when every cell S wrote in the row is as S left it, and nobody wrote it since
  v_statement text;
  v_restored bigint;
begin
  select * into strict v_table from wayback.tracked_table where id = p_table_id;
  -- The timeline is sorted by key: in memory, not in 4 MB runs on disk (for this transaction only).
  if (select setting::bigint from pg_settings where name = 'work_mem') < 65536 then
    perform set_config('work_mem', '64MB', true);
  end if;
  -- The planner guesses 100 rows of a timeline whatever their number (they come out of a window and a
  -- grouping over a CASE), so it probes the live table's key index once per row. When the rows are
  -- more than an eighth of the table, reading the table whole (a hash or merge join) costs less: for
  -- 100k rows of a 200k-row table, 0.1 s less for each of the two joins.
  -- (The rows of the selected bulk statements on this table, and one for each selected single-row
  -- statement on any table: an estimate that reads no journal.)
  if ((select coalesce(sum(s.rows), 0) from wayback.bulk_statement s where s.id = any (p_selected) and s.table_id = p_table_id)
      + v_single_rows) * 8
     > (select coalesce(sum(greatest(c.reltuples, 0)), 0) from wayback.tree_of(v_table.relid) t join pg_class c on c.oid = t.relid) then
    perform set_config('enable_nestloop', 'off', true);
  end if;
  v_live := case when v_table.untracked_at is null or to_regclass(format('%I.%I', v_table.schema_name, v_table.table_name)) is not null
                 then format('%I.%I', v_table.schema_name, v_table.table_name) end;

  -- Rows are grouped by their typed key, which sorts far faster than a jsonb of it.
  select string_agg(format('case when s.op = ''I'' then j.a%1$s else j.b%1$s end as k%2$s', k.slot, u.ord), ', ' order by u.ord),
         string_agg(format('k%s', u.ord), ', ' order by u.ord),
         'jsonb_build_object(' || string_agg(format('%L, p.k%s::text', k.name, u.ord), ', ' order by u.ord) || ')',
         string_agg(format('cur.%I = r.k%s', k.name, u.ord), ' and ' order by u.ord),
         coalesce(string_agg(format('(s.op = ''U'' and j.a%s is not null)', k.slot), ' or '), 'false'),
         string_agg(format('t.%I = r.k%s', k.name, u.ord), ' and ' order by u.ord),
         string_agg(format('x.k%1$s = r.k%1$s', u.ord), ' and ' order by u.ord),
         string_agg(format('r.k%s', u.ord), ', ' order by u.ord)
    into v_entry_key, v_key_list, v_key_json, v_key_match, v_key_change, v_update_match, v_restore_match, v_r_key_list
    from unnest(v_table.key_columns) with ordinality u(name, ord)
    join wayback.tracked_column k on k.table_id = p_table_id and k.name = u.name and k.until_stmt is null;

  -- Only the columns S wrote take part (all of them where S inserted or deleted a row): a change set
  -- that updated one column of a wide table reads one column's timeline, not every column's. Which
  -- ones an UPDATE changed is read from its entries alone: joined to their statements, it was read
  -- with the statements scanned once per entry (the planner guesses a few entries).
  if v_single_rows > 0 then
    execute format('select exists (select from %s j where j.stmt between $2 and $3 and j.stmt = any ($1) and j.op <> ''U'')', v_journal)
       into v_inserted_or_deleted using p_selected, v_first, v_last;
  end if;
  if v_inserted_or_deleted
     or exists (select from wayback.bulk_statement s where s.id = any (p_selected) and s.table_id = p_table_id and s.op <> 'U') then
    v_slots := array(select c.slot from wayback.tracked_column c
                      where c.table_id = p_table_id and c.since_stmt < v_last and coalesce(c.until_stmt >= v_first, true)
                      order by c.slot);
  else
    select format('select array[%s] from %s j where j.stmt between $2 and $3 and j.stmt = any ($1)',
                  string_agg(format('coalesce(bool_or(%s), false)', wayback.writes_sql(c, c.name = any (v_table.key_columns), '''U''')), ', ' order by c.slot),
                  v_journal),
           array_agg(c.slot order by c.slot)
      into v_sql, v_slots
      from wayback.tracked_column c
     where c.table_id = p_table_id;
    execute v_sql into v_wrote using p_selected, v_first, v_last;
    v_slots := array(select u.slot from unnest(v_slots, v_wrote) u(slot, wrote) where u.wrote);
  end if;
  if cardinality(v_slots) = 0 then return 0; end if;

  select string_agg(format('%2$s as c%1$s, j.b%1$s::text as b%1$s, j.a%1$s::text as a%1$s',
                           c.slot, wayback.writes_sql(c, c.name = any (v_table.key_columns), 's.op')), ', ' order by c.slot),
         string_agg(format(
           'min(e.stmt) filter (where e.sel and e.op <> ''I'' and e.c%1$s) over row_life as first%1$s, '
           'max(e.stmt) filter (where e.sel and e.op <> ''D'' and e.c%1$s) over row_life as last%1$s',
           c.slot), ', ' order by c.slot),
         string_agg(format(
           'min(w.first%1$s) as first%1$s, '
           'min(w.b%1$s) filter (where w.stmt = w.first%1$s) as base%1$s, '
           'min(w.a%1$s) filter (where w.stmt = w.last%1$s) as written%1$s, '
           'coalesce(bool_or(not w.sel and w.c%1$s and w.stmt > w.first%1$s), false) as touched%1$s, '
           'coalesce(bool_or(not w.sel and w.c%1$s and w.stmt > w.first%1$s and w.stmt < w.s_last), false) as touched_before_last%1$s, '
           'min(w.b%1$s) filter (where w.stmt = w.s_last) as last_before%1$s',
           c.slot), ', ' order by c.slot),
         string_agg(format(
           'case when e.op <> ''I'' and e.c%1$s then e.stmt end as first%1$s, '
           'case when e.op <> ''I'' and e.c%1$s then e.b%1$s end as base%1$s, '
           'case when e.op <> ''D'' and e.c%1$s then e.a%1$s end as written%1$s, '
           'false as touched%1$s, false as touched_before_last%1$s, e.b%1$s as last_before%1$s',
           c.slot), ', ' order by c.slot),
         string_agg(format(
           '(%1$L, r.first%2$s is not null, r.base%2$s, r.written%2$s, %3$s, r.touched%2$s, r.touched_before_last%2$s, '
           'r.last_before%2$s, %4$s, %5$s, %6$s)',
           c.name, c.slot, now.text, (c.until_stmt is null)::text, (live.name is not null)::text, c.generated::text),
           ', ' order by c.slot),
         -- Most rows of a large change set were only updated by S and never written since: their
         -- step is built right here, and only the rest pay for a call of decide.
         string_agg(format(
           case when c.generated then 'true'
                when c.until_stmt is not null then 'r.first%1$s is null'
                else '(r.first%1$s is null or %2$s is not distinct from r.base%1$s or (not r.touched%1$s and %2$s is not distinct from r.written%1$s))' end,
           c.slot, now.text), ' and ' order by c.slot),
         '''{}''::jsonb' || coalesce(string_agg(format(
           ' || case when p.rs%1$s then jsonb_build_object(%2$L, jsonb_build_object(''base'', p.bs%1$s, ''expected'', p.ex%1$s)) else ''{}'' end',
           c.slot, c.name), '' order by c.slot) filter (where not c.generated and c.until_stmt is null), ''),
         coalesce(', ' || string_agg(format(
           'clean.yes and r.first%1$s is not null and %2$s is distinct from r.base%1$s as rs%1$s, r.base%1$s as bs%1$s, %2$s as ex%1$s',
           c.slot, now.text), ', ' order by c.slot) filter (where not c.generated and c.until_stmt is null), ''),
         coalesce(string_agg(format('p.rs%s', c.slot), ' or ' order by c.slot) filter (where not c.generated and c.until_stmt is null), 'false')
    into v_entry_cols, v_window_cols, v_row_cols, v_entry_row_cols, v_cells, v_clean, v_clean_cells, v_restore_cols, v_any_step
    from wayback.tracked_column c
    left join wayback.tracked_column live on live.table_id = c.table_id and live.name = c.name and live.until_stmt is null
    cross join lateral (select case when v_live is not null and live.name is not null then format('cur.%I::text', c.name) else 'null::text' end as text) now
   where c.table_id = p_table_id and c.slot = any (v_slots);

  -- Each row's timeline (S's entries and everyone else's since S's first, in statement order) is read
  -- by a window over the row's entries and folded by a grouping. When one selected statement wrote
  -- every entry since, as when the last thing done is undone, each row has that one entry (a statement
  -- writes a row once, and the key is unique), and the entry is the row.
  execute format('select coalesce(min(j.stmt) = max(j.stmt) and min(j.stmt) = any ($1), false) from %s j where j.stmt >= $2', v_journal)
     into v_one_statement using p_selected, v_first;
  v_timeline := format($q$
    e as (
      select j.stmt, s.op, j.stmt = any ($1) as sel, %1$s, %2$s as key_change, %3$s
        from %4$s j left join wayback.bulk_statement b on b.id = j.stmt cross join lateral (select coalesce(j.op, b.op) as op) s
       where j.stmt >= $2
    ),%5$s$q$,
    v_entry_key, v_key_change, v_entry_cols, v_journal,
    case when v_one_statement then format($q$
    r as (
      select %1$s, e.stmt as s_first, e.op::text as s_first_op, e.op::text as s_last_op, e.key_change,
             null::bigint as others_last, %2$s
        from e
    )$q$, v_key_list, v_entry_row_cols)
    else format($q$
    w as (
      select e.*, min(e.stmt) filter (where e.sel) over row_life as s_first,
             max(e.stmt) filter (where e.sel) over row_life as s_last, %1$s
        from e
      window row_life as (partition by %3$s)
    ),
    r as (
      select %3$s,
             min(w.s_first) as s_first,
             min(w.op::text) filter (where w.stmt = w.s_first) as s_first_op,
             min(w.op::text) filter (where w.stmt = w.s_last) as s_last_op,
             bool_or(w.key_change) as key_change,
             max(w.stmt) filter (where not w.sel) as others_last,
             %2$s
        from w
       group by %3$s
      having bool_or(w.sel)
    )$q$, v_window_cols, v_row_cols, v_key_list) end);
  v_planned := format($q$
    select %2$s, r.s_first_op, r.s_last_op, r.key_change,
           coalesce(r.others_last > r.s_first, false) as others_after,
           %1$s as present,
           clean.yes as clean %5$s,
           case when not clean.yes then array[%3$s]::wayback.plan_cell[] end as cells
      -- (offset 0: rows the UPDATE restored are left out before their live row is looked up)
      from (select * from r where not exists (select from restored x where %7$s) offset 0) r
      %6$s
      cross join lateral (select r.s_first_op <> 'I' and r.s_last_op <> 'D' and not r.key_change and %1$s and %4$s as yes) clean
  $q$,
    -- (a key column is never null in a row that exists; `cur is not null` is false for a row with any null)
    case when v_live is null then 'false' else format('cur.%I is not null', v_table.key_columns[1]) end,
    v_r_key_list, v_cells, v_clean, v_restore_cols,
    case when v_live is null then '' else format('left join %s cur on %s', v_live, v_key_match) end,
    v_restore_match);

  -- The clean rows' typed UPDATE, joined to the rows S wrote and checking the live row itself (so a
  -- row is looked up once, and a row written after this statement's snapshot is re-checked under its
  -- lock and left to a step): it takes a row whose every cell S wrote is still as S left it and nobody
  -- else wrote since, restores the cells whose base differs, and counts them from the timeline alone.
  -- It sets the columns it may (not the key, not generated, not an identity column that refuses
  -- values) and leaves the rows with a cell it may not set to a step.
  if p_restore and v_live is not null then
    select string_agg(format('%1$I = case when %2$s then r.base%3$s::%4$s else t.%1$I end', c.name, c.restores, c.slot, c.type), ', ' order by c.slot) filter (where c.settable),
           string_agg(c.restores, ' or ' order by c.slot) filter (where c.settable),
           coalesce('not (' || string_agg(c.restores, ' or ' order by c.slot) filter (where not c.settable) || ')', 'true'),
           string_agg(format('(%s)::int', c.restores), ' + ' order by c.slot) filter (where c.settable)
      into v_set, v_any_restore, v_in_place, v_restored_cells
      from (select c.name, c.slot, format_type(a.atttypid, a.atttypmod) as type,
                   a.attidentity <> 'a' and not c.name = any (v_table.key_columns) as settable,
                   format('(r.first%1$s is not null and r.written%1$s is distinct from r.base%1$s)', c.slot) as restores
              from wayback.tracked_column c
              join pg_attribute a on a.attrelid = v_live::regclass and a.attname = c.name and not a.attisdropped
             where c.table_id = p_table_id and c.slot = any (v_slots) and not c.generated and c.until_stmt is null) c;
    select string_agg(format(
             case when c.generated then 'true'
                  when c.until_stmt is not null then 'r.first%1$s is null'
                  else '(r.first%1$s is null or (not r.touched%1$s and t.%2$I::text is not distinct from r.written%1$s))' end,
             c.slot, c.name), ' and ' order by c.slot)
      into v_untouched
      from wayback.tracked_column c
     where c.table_id = p_table_id and c.slot = any (v_slots);
  end if;

  v_statement := format($q$
    with %1$s,
    restored as (<<restored>>),
    planned as (%2$s),
    steps as (
      insert into pg_temp.wayback_plan (table_id, key, action, kind, column_name, base, written, current, cells)
      select s.*
        from planned p
       cross join lateral wayback.decide(%3$s, %4$s, p.s_first_op, p.s_last_op, p.key_change, p.others_after, p.present, p.cells, $3) s
       where not p.clean
      union all
      select %3$s, %4$s, 'update'::text, null::text, null::text, null::text, null::text, null::text, %5$s
        from planned p
       where p.clean and (%6$s)
    )
    select coalesce(sum(x.cells), 0) from restored x
  $q$, v_timeline, v_planned, p_table_id, v_key_json, v_clean_cells, v_any_step);
  if v_set is not null then
    begin
      execute replace(v_statement, '<<restored>>', format(
        'update %s t set %s from r where %s and r.s_first_op <> ''I'' and r.s_last_op <> ''D'' and not r.key_change and (%s) and %s and %s returning %s, %s as cells',
        v_live, v_set, v_update_match, v_any_restore, v_in_place, v_untouched, v_r_key_list, v_restored_cells))
        into v_restored using p_selected, v_first, p_force;
      return v_restored;
    exception when integrity_constraint_violation or check_violation or not_null_violation or data_exception then
      null; -- some clean row is refused in place: plan every row as a step, which apply carries out row by row if it must
    end;
  end if;
  execute replace(v_statement, '<<restored>>', format('select %s, 0::bigint as cells from r where false', v_r_key_list))
    into v_restored using p_selected, v_first, p_force;
  return v_restored;
end
$_$;

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

CREATE FUNCTION wayback.refresh_entry_view() RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
declare
  v_entries text;
  v_statements text;
begin
  select string_agg(replace(format(
           $s$select j.stmt, %1$s as table_id, s.op, s.changeset, s.feature, s.txid, s.at, s.app, s.role,
                    case s.op when 'I' then %6$s else %7$s end as pk,
                    case s.op when 'I' then null when 'D' then %2$s else %3$s end as before,
                    case s.op when 'D' then null when 'I' then %4$s else %5$s end as after
               from <<from>>$s$,
           t.id, img.whole_before, img.changed_before, img.whole_after, img.changed_after, img.key_after, img.key_before),
           '<<from>>', branch.source),
         ' union all ' order by t.id, branch.n),
         string_agg(format(
           $s$select j.stmt, %1$s, j.op, 1, j.txid, j.changeset, j.feature, j.kind, j.actor, j.app, j.role, j.at
               from wayback.%2$I j where j.op is not null$s$, t.id, 'journal_' || t.id),
           ' union all ' order by t.id) filter (where branch.n = 1)
    into v_entries, v_statements
    from wayback.tracked_table t
    cross join lateral (values
      (1, format('wayback.%I j join wayback.bulk_statement s on s.id = j.stmt', 'journal_' || t.id)),
      (2, format('wayback.%I j cross join lateral (select j.op, j.changeset, j.feature, j.txid, j.at, j.app, j.role) s where j.op is not null',
                 'journal_' || t.id))
    ) branch(n, source)
    cross join lateral (
      select wayback.image_sql(array_agg(format('(%L, %s, to_jsonb(j.b%s))', c.name, c.alive, c.slot) order by c.slot)) as whole_before,
             wayback.image_sql(array_agg(format('(%L, %s, to_jsonb(j.a%s))', c.name, c.alive, c.slot) order by c.slot)) as whole_after,
             wayback.image_sql(array_agg(format('(%L, %s, to_jsonb(j.b%s))', c.name, c.changed, c.slot) order by c.slot)) as changed_before,
             wayback.image_sql(array_agg(format('(%L, %s, to_jsonb(j.a%s))', c.name, c.changed, c.slot) order by c.slot)) as changed_after,
             (select 'jsonb_build_array(' || string_agg(format('j.a%s', k.slot), ', ' order by u.ord) || ')'
                from unnest(t.key_columns) with ordinality u(name, ord)
                join wayback.tracked_column k on k.table_id = t.id and k.name = u.name and k.until_stmt is null) as key_after,
             (select 'jsonb_build_array(' || string_agg(format('j.b%s', k.slot), ', ' order by u.ord) || ')'
                from unnest(t.key_columns) with ordinality u(name, ord)
                join wayback.tracked_column k on k.table_id = t.id and k.name = u.name and k.until_stmt is null) as key_before
        from (select c.*,
                     format('j.stmt > %s', c.since_stmt) || coalesce(' and j.stmt <= ' || c.until_stmt, '') as alive,
                     format(case when c.name = any (t.key_columns) then 'j.a%1$s is not null'
                                 when c.compare_as_text then 'j.b%1$s::text is distinct from j.a%1$s::text'
                                 else 'j.b%1$s is distinct from j.a%1$s' end, c.slot) as changed
                from wayback.tracked_column c where c.table_id = t.id) c
    ) img
   where to_regclass(format('wayback.%I', 'journal_' || t.id)) is not null
     and exists (select from wayback.tracked_column c where c.table_id = t.id);

  execute 'drop view if exists wayback.journal_entry';
  execute 'drop view if exists wayback.statement';
  execute format($v$
    create view wayback.statement as
    select id, table_id, op, rows, txid, changeset, feature, kind, actor, app, role, at from wayback.bulk_statement
    %s
  $v$, coalesce(' union all ' || v_statements, ''));
  execute format($v$
    create view wayback.journal_entry as
    select e.stmt, e.changeset, e.feature, e.txid, t.schema_name || '.' || t.table_name as table_name,
           e.pk, e.op, e.before, e.after, e.at, e.app, e.role, e.table_id
      from (%s) e
      join wayback.tracked_table t on t.id = e.table_id
  $v$, coalesce(v_entries,
    'select null::bigint as stmt, null::int as table_id, null::"char" as op, null::text as changeset, null::text as feature, '
    'null::bigint as txid, null::timestamptz as at, null::text as app, null::text as role, '
    'null::jsonb as pk, null::jsonb as before, null::jsonb as after where false'));
  execute 'revoke all on wayback.statement, wayback.journal_entry from public';
end
$_$;

CREATE FUNCTION wayback.reinsert_sql(p_live regclass, p_columns text[]) RETURNS text
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select format('insert into %s (%s) overriding system value select %s from <<rows>> array(select jsonb_object_keys(p.cells) order by 1) = %L::text[]',
                p_live,
                string_agg(format('%I', a.attname), ', ' order by a.attnum),
                string_agg(format('(p.cells->>%L)::%s', a.attname, format_type(a.atttypid, a.atttypmod)), ', ' order by a.attnum),
                array(select c from unnest(p_columns) c order by 1))
    from pg_attribute a
   where a.attrelid = p_live and a.attname = any (p_columns) and not a.attisdropped
$$;

CREATE FUNCTION wayback.storage_type(p_type oid, p_typmod integer) RETURNS text
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select case when t.typtype = 'd' then format_type(t.typbasetype, t.typtypmod) else format_type(p_type, p_typmod) end
    from pg_type t where t.oid = p_type
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

CREATE FUNCTION wayback.sync_columns(p_table_id integer) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

CREATE TABLE wayback.tracked_column (
    table_id integer NOT NULL,
    slot integer NOT NULL,
    attnum smallint NOT NULL,
    name text NOT NULL,
    type text NOT NULL,
    compare_as_text boolean NOT NULL,
    generated boolean NOT NULL,
    since_stmt bigint NOT NULL,
    until_stmt bigint
);

CREATE FUNCTION wayback.writes_sql(p_column wayback.tracked_column, p_key boolean, p_op text) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
  select format(
    '(j.stmt > %2$s and j.stmt <= %3$s and case when %6$s <> ''U'' then true when %4$s then j.a%1$s is not null else %5$s end)',
    p_column.slot, p_column.since_stmt, coalesce(p_column.until_stmt, 9223372036854775807), p_key::text,
    format(case when p_column.compare_as_text then 'j.b%1$s::text is distinct from j.a%1$s::text' else 'j.b%1$s is distinct from j.a%1$s' end, p_column.slot),
    p_op)
$_$;

CREATE TABLE wayback.bulk_statement (
    id bigint NOT NULL,
    table_id integer NOT NULL,
    op "char" NOT NULL,
    rows integer NOT NULL,
    txid bigint NOT NULL,
    changeset text NOT NULL,
    feature text,
    kind text,
    actor text,
    app text,
    role text NOT NULL,
    at timestamp with time zone NOT NULL,
    CONSTRAINT bulk_statement_op_check CHECK ((op = ANY (ARRAY['I'::"char", 'U'::"char", 'D'::"char"])))
);

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
 SELECT e.stmt,
    e.changeset,
    e.feature,
    e.txid,
    ((t.schema_name || '.'::text) || t.table_name) AS table_name,
    e.pk,
    e.op,
    e.before,
    e.after,
    e.at,
    e.app,
    e.role,
    e.table_id
   FROM (( SELECT NULL::bigint AS stmt,
            NULL::integer AS table_id,
            NULL::"char" AS op,
            NULL::text AS changeset,
            NULL::text AS feature,
            NULL::bigint AS txid,
            NULL::timestamp with time zone AS at,
            NULL::text AS app,
            NULL::text AS role,
            NULL::jsonb AS pk,
            NULL::jsonb AS before,
            NULL::jsonb AS after
          WHERE false) e
     JOIN wayback.tracked_table t ON ((t.id = e.table_id)));

CREATE SEQUENCE wayback.kept_table_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

CREATE TABLE wayback.migration (
    id text NOT NULL,
    seq bigint NOT NULL,
    name text NOT NULL,
    format text NOT NULL,
    checksum text NOT NULL,
    down text,
    irreversible text,
    lossy text,
    in_transaction boolean DEFAULT true NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL,
    changeset text NOT NULL,
    CONSTRAINT migration_check CHECK (((down IS NULL) = (irreversible IS NOT NULL))),
    CONSTRAINT migration_format_check CHECK ((format = ANY (ARRAY['sql'::text, 'module'::text])))
);

COMMENT ON TABLE wayback.migration IS 'migrations applied by wayback migrate: checksum of the up and the down itself';

CREATE TABLE wayback.migration_kept (
    kept_table name NOT NULL,
    migration_id text,
    "position" integer NOT NULL,
    what text NOT NULL,
    schema_name name NOT NULL,
    table_name name NOT NULL,
    column_name name,
    key_columns name[],
    row_count bigint NOT NULL,
    kept_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT migration_kept_check CHECK (((what = 'column'::text) = ((column_name IS NOT NULL) AND (key_columns IS NOT NULL)))),
    CONSTRAINT migration_kept_what_check CHECK ((what = ANY (ARRAY['table'::text, 'column'::text])))
);

COMMENT ON TABLE wayback.migration_kept IS 'data an up dropped or retyped, kept by wayback migrate so the down restores it';

ALTER TABLE wayback.migration ALTER COLUMN seq ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME wayback.migration_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE wayback.schema_step (
    id integer NOT NULL,
    name text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE VIEW wayback.statement AS
 SELECT bulk_statement.id,
    bulk_statement.table_id,
    bulk_statement.op,
    bulk_statement.rows,
    bulk_statement.txid,
    bulk_statement.changeset,
    bulk_statement.feature,
    bulk_statement.kind,
    bulk_statement.actor,
    bulk_statement.app,
    bulk_statement.role,
    bulk_statement.at
   FROM wayback.bulk_statement;

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

ALTER TABLE ONLY wayback.bulk_statement
    ADD CONSTRAINT bulk_statement_pkey PRIMARY KEY (id);

ALTER TABLE ONLY wayback.migration_kept
    ADD CONSTRAINT migration_kept_pkey PRIMARY KEY (kept_table);

ALTER TABLE ONLY wayback.migration
    ADD CONSTRAINT migration_pkey PRIMARY KEY (id);

ALTER TABLE ONLY wayback.migration
    ADD CONSTRAINT migration_seq_key UNIQUE (seq);

ALTER TABLE ONLY wayback.schema_step
    ADD CONSTRAINT schema_step_pkey PRIMARY KEY (id);

ALTER TABLE ONLY wayback.tracked_column
    ADD CONSTRAINT tracked_column_pkey PRIMARY KEY (table_id, slot);

ALTER TABLE ONLY wayback.tracked_table
    ADD CONSTRAINT tracked_table_pkey PRIMARY KEY (id);

ALTER TABLE ONLY wayback.tracked_table
    ADD CONSTRAINT tracked_table_schema_name_table_name_key UNIQUE (schema_name, table_name);

CREATE INDEX bulk_statement_at ON wayback.bulk_statement USING brin (at);

CREATE INDEX bulk_statement_changeset ON wayback.bulk_statement USING btree (changeset);

CREATE INDEX bulk_statement_txid ON wayback.bulk_statement USING btree (txid);

CREATE INDEX migration_kept_by_migration ON wayback.migration_kept USING btree (migration_id, "position");

ALTER TABLE ONLY wayback.tracked_column
    ADD CONSTRAINT tracked_column_table_id_fkey FOREIGN KEY (table_id) REFERENCES wayback.tracked_table(id);

REVOKE ALL ON FUNCTION wayback.apply_moved(p_table_id integer, p_step_no bigint, p_statement text) FROM PUBLIC;

REVOKE ALL ON FUNCTION wayback.apply_table(p_table_id integer, p_action text) FROM PUBLIC;

REVOKE ALL ON FUNCTION wayback.block_truncate() FROM PUBLIC;

REVOKE ALL ON FUNCTION wayback.compares_as_text(p_type oid) FROM PUBLIC;

REVOKE ALL ON FUNCTION wayback.decide(p_table_id integer, p_key jsonb, p_first_op text, p_last_op text, p_key_change boolean, p_others_after boolean, p_present boolean, p_cells wayback.plan_cell[], p_force boolean) FROM PUBLIC;

REVOKE ALL ON FUNCTION wayback.drop_truncate_blockers(p_table regclass) FROM PUBLIC;

REVOKE ALL ON FUNCTION wayback.generate_capture(p_table_id integer) FROM PUBLIC;

REVOKE ALL ON FUNCTION wayback.image_sql(p_rows text[]) FROM PUBLIC;

REVOKE ALL ON FUNCTION wayback.key_match_sql(p_table_id integer, p_row text, p_key text) FROM PUBLIC;

REVOKE ALL ON FUNCTION wayback.mark_referenced(p_table_id integer) FROM PUBLIC;

REVOKE ALL ON FUNCTION wayback.on_ddl_command_end() FROM PUBLIC;

REVOKE ALL ON FUNCTION wayback.on_sql_drop() FROM PUBLIC;

REVOKE ALL ON FUNCTION wayback.plan_table(p_table_id integer, p_selected bigint[], p_force boolean, p_restore boolean) FROM PUBLIC;

REVOKE ALL ON FUNCTION wayback.primary_key_of(p_relid oid) FROM PUBLIC;

REVOKE ALL ON FUNCTION wayback.refresh_entry_view() FROM PUBLIC;

REVOKE ALL ON FUNCTION wayback.reinsert_sql(p_live regclass, p_columns text[]) FROM PUBLIC;

REVOKE ALL ON FUNCTION wayback.storage_type(p_type oid, p_typmod integer) FROM PUBLIC;

REVOKE ALL ON FUNCTION wayback.sync_capture(p_table_id integer) FROM PUBLIC;

REVOKE ALL ON FUNCTION wayback.sync_columns(p_table_id integer) FROM PUBLIC;

REVOKE ALL ON FUNCTION wayback.track(p_table regclass, p_key text[]) FROM PUBLIC;

REVOKE ALL ON FUNCTION wayback.tree_of(p_relid oid) FROM PUBLIC;

REVOKE ALL ON FUNCTION wayback.untrack(p_table regclass) FROM PUBLIC;

REVOKE ALL ON FUNCTION wayback.writes_sql(p_column wayback.tracked_column, p_key boolean, p_op text) FROM PUBLIC;
