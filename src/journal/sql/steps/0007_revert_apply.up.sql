-- 0007 revert_apply: carrying out a revert's plan (made by 0006's plan_table into pg_temp.wayback_plan),
-- set-based, and the foreign-key checks between planning and applying.

-- The statement that re-inserts plan rows whose cells name exactly these columns, with <<rows>> where
-- its source of plan rows goes (a column added since a row was deleted is left to its default).
create function wayback.reinsert_sql(p_live regclass, p_columns text[]) returns text
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select format('insert into %s (%s) overriding system value select %s from <<rows>> array(select jsonb_object_keys(p.cells) order by 1) = %L::text[]',
                p_live,
                string_agg(format('%I', a.attname), ', ' order by a.attnum),
                string_agg(format('(p.cells->>%L)::%s', a.attname, format_type(a.atttypid, a.atttypmod)), ', ' order by a.attnum),
                array(select c from unnest(p_columns) c order by 1))
    from pg_attribute a
   where a.attrelid = p_live and a.attname = any (p_columns) and not a.attisdropped
$$;

-- One update or delete step whose row no longer matched the plan when apply reached it: a write
-- landed between plan and apply (or the plan was saved and applied later). Under the row's lock, cell
-- by cell: the cells still as planned are restored, those already at their base are left, each other
-- one is a cell-changed-later conflict with its value now; a row that is gone is row-deleted-later for an update and nothing to do for a
-- delete (the row S inserted is gone, as the revert wants); a row to delete that moved is kept.
create function wayback.apply_moved(p_table_id int, p_step_no bigint, p_statement text) returns setof wayback.plan_step
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
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
$$;

-- Applies one kind of step of one table from the plan in pg_temp.wayback_plan (made by the caller in
-- this transaction), and returns what could not be applied as conflicts: a row that moved since it was
-- planned (a saved plan applied later), or a row a constraint refuses. It tries set-based statements
-- first; only if one fails does it go row by row, each row in a savepoint of its own, so one row's
-- failure is that row's conflict and never a half-applied revert. Row by row, re-inserts run in passes
-- until one makes no progress, so rows that reference each other come back in any order.
create function wayback.apply_table(p_table_id int, p_action text) returns setof wayback.plan_step
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
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
$$;

-- Turns planned deletes of rows that other rows still point at into referenced-by-later-rows
-- conflicts, at plan time (so a saved plan sees them too), and returns how many it turned. A
-- referencing row that the plan deletes as well does not count. Call it for each table, children
-- before parents, and again until no call turns any (a cycle of foreign keys needs more than one round).
create function wayback.mark_referenced(p_table_id int) returns int
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
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

revoke all on all functions in schema wayback from public;
