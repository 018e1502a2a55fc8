-- (Over 400 lines on purpose: the planner, the rules it applies and apply are one algorithm in one step.)
-- 0004 revert: planning and applying a selective revert, set-based, inside the database.
--
-- A plan is a list of steps per tracked table: restore cells of a row (update), delete a row the
-- selection inserted, re-insert a row it deleted, or a conflict left in place. Values travel as the
-- column's text form, which every type reads back exactly; keys as {column: text}.

create type wayback.plan_step as (
  table_id int,
  key jsonb,
  action text,        -- update | delete | reinsert | conflict
  kind text,          -- the conflict kind, for action = conflict
  column_name text,   -- the conflict's column, null for a row-level conflict
  base text,
  written text,
  current text,
  cells jsonb         -- update: {column: {"base": text, "expected": text}}; reinsert: {column: text}; delete: {column: text} as written
);

-- One column of one row the selection touched, as plan_table hands it to decide.
create type wayback.plan_cell as (
  name text,
  wrote boolean,      -- S changed this cell with an UPDATE
  base text,          -- before S's first write of it
  written text,       -- after S's last write of it
  current text,       -- now
  touched boolean,    -- someone outside S wrote it after S's first write of it
  touched_since_first boolean,  -- someone outside S wrote it after S's first write of the row
  before_delete boolean,        -- S's first write of it came before S's first delete of the row
  alive boolean,      -- the column still exists with the type it had
  generated boolean
);

-- SQL fragments for one tracked table, shared by planning and applying: how to name a row's key as
-- jsonb from journal slots, how to match the live table's key against a plan's key, and so on.
create function wayback.key_match_sql(p_table_id int, p_row text, p_key text) returns text
language sql stable
set search_path = pg_catalog, pg_temp
as $$
  select string_agg(format('%s.%I = (%s->>%L)::%s', p_row, k.name, p_key, k.name, k.type), ' and ' order by u.ord)
    from wayback.tracked_table t
    cross join unnest(t.key_columns) with ordinality u(name, ord)
    join wayback.tracked_column k on k.table_id = t.id and k.name = u.name and k.until_stmt is null
   where t.id = p_table_id
$$;

-- Plans the revert of the selected statements' writes to one table (DESIGN.md "Revert semantics").
-- Per row the selection S wrote: its entries and everyone else's after S's first write on that row,
-- and the row as it is now (locked: FOR UPDATE, so nothing moves before apply in this transaction).
-- With p_force, cells written later by others are overwritten instead of reported.
-- Rows whose key changed inside the window are reported, not reverted (row-modified-later).
create function wayback.plan_table(p_table_id int, p_selected bigint[], p_force boolean)
returns setof wayback.plan_step
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  v_table wayback.tracked_table;
  v_journal text := format('wayback.%I', 'journal_' || p_table_id);
  v_live text;
  v_first bigint := (select min(s) from unnest(p_selected) s);
  v_key_of_entry text;     -- jsonb key of an entry: after values for I, before values for U/D
  v_key_change text;       -- true when an UPDATE entry changed the key
  v_slot_cols text;        -- per slot: changed flag, before and after text of an entry
  v_row_aggs text;         -- per slot: what S wrote and whether others wrote it after
  v_current text;          -- per live column: its text now
  v_cells text;            -- per slot: a (name, wrote, base, written, current, touched, alive, generated) row
  v_whole_before text;     -- the row image before S's delete, as {column: text}
  v_whole_after text;      -- the row image as S inserted it
  v_sql text;
begin
  select * into strict v_table from wayback.tracked_table where id = p_table_id;
  v_live := case when v_table.untracked_at is null or to_regclass(format('%I.%I', v_table.schema_name, v_table.table_name)) is not null
                 then format('%I.%I', v_table.schema_name, v_table.table_name) end;

  select 'jsonb_build_object(' || string_agg(format('%L, case when s.op = ''I'' then j.a%s else j.b%s end::text', k.name, k.slot, k.slot), ', ' order by u.ord) || ')',
         coalesce(string_agg(format('(s.op = ''U'' and j.a%s is not null)', k.slot), ' or '), 'false')
    into v_key_of_entry, v_key_change
    from unnest(v_table.key_columns) with ordinality u(name, ord)
    join wayback.tracked_column k on k.table_id = p_table_id and k.name = u.name and k.until_stmt is null;

  select string_agg(format(
           'case when s.op <> ''U'' then true when %2$s then j.a%1$s is not null else %3$s end as c%1$s, j.b%1$s::text as b%1$s, j.a%1$s::text as a%1$s',
           c.slot,
           (c.name = any (v_table.key_columns))::text,
           format(case when c.compare_as_text then 'j.b%1$s::text is distinct from j.a%1$s::text' else 'j.b%1$s is distinct from j.a%1$s' end, c.slot)),
           ', ' order by c.slot),
         string_agg(format(
           '(array_agg(e.b%1$s order by e.stmt) filter (where e.sel and e.op = ''U'' and e.c%1$s))[1] as base%1$s, '
           '(array_agg(e.a%1$s order by e.stmt desc) filter (where e.sel and e.op = ''U'' and e.c%1$s))[1] as written%1$s, '
           'min(e.stmt) filter (where e.sel and e.op = ''U'' and e.c%1$s) as first%1$s, '
           'max(e.stmt) filter (where not e.sel and (e.op <> ''U'' or e.c%1$s)) as others%1$s',
           c.slot), ', ' order by c.slot),
         string_agg(format(
           '(%1$L, r.first%2$s is not null, r.base%2$s, r.written%2$s, %3$s, '
           'coalesce(r.others%2$s > r.first%2$s, false), coalesce(r.others%2$s > r.s_first, false), '
           'coalesce(r.first%2$s < r.s_first_delete, false), '
           '%4$s, %5$s)',
           c.name, c.slot,
           case when c.until_stmt is null and v_live is not null then format('(cur.r).%I::text', c.name) else 'null::text' end,
           (c.until_stmt is null)::text, c.generated::text),
           ', ' order by c.slot),
         -- A whole-row image holds the live columns that existed when the entry was written: a column
         -- added since gets its default on re-insert, not a NULL.
         'jsonb_build_object(' || string_agg(format('%L, e.b%s', c.name, c.slot), ', ' order by c.slot) filter (where c.until_stmt is null)
           || ') - array_remove(array[' || string_agg(format('case when e.stmt <= %s then %L end', c.since_stmt, c.name), ', ') filter (where c.until_stmt is null) || ']::text[], null)',
         'jsonb_build_object(' || string_agg(format('%L, e.a%s', c.name, c.slot), ', ' order by c.slot) filter (where c.until_stmt is null) || ')'
    into v_slot_cols, v_row_aggs, v_cells, v_whole_before, v_whole_after
    from wayback.tracked_column c
   where c.table_id = p_table_id;

  v_sql := format($q$
    with e as (
      select j.stmt, s.op, j.stmt = any ($1) as sel, %1$s as key, %2$s as key_change, %3$s
        from %4$s j join wayback.statement s on s.id = j.stmt
       where j.stmt >= $2
    ),
    r as (
      select e.key,
             min(e.stmt) filter (where e.sel) as s_first,
             (array_agg(e.op order by e.stmt) filter (where e.sel))[1] as s_first_op,
             (array_agg(e.op order by e.stmt desc) filter (where e.sel))[1] as s_last_op,
             bool_or(e.key_change) as key_change,
             max(e.stmt) filter (where not e.sel) as others_last,
             min(e.stmt) filter (where e.sel and e.op = 'D') as s_first_delete,
             (array_agg(%6$s order by e.stmt) filter (where e.sel and e.op = 'D'))[1] as deleted_image,
             (array_agg(%7$s order by e.stmt) filter (where e.sel and e.op = 'I'))[1] as inserted_image,
             %5$s
        from e
       group by e.key
      having bool_or(e.sel)
    )
    select r.*,
           coalesce(r.others_last > r.s_first, false) as others_after,
           cur.found is not null as present,
           cells.list
      from r
      left join lateral (%8$s) cur on true
      cross join lateral (select array[%9$s]::wayback.plan_cell[] as list) cells
  $q$,
    v_key_of_entry, v_key_change, v_slot_cols, v_journal, v_row_aggs,
    v_whole_before, v_whole_after,
    -- (found, not r is not null: a row value is null when any of its columns is)
    case when v_live is null then 'select null::boolean as found, null::record as r'
         else format('select true as found, t as r from %s t where %s for update', v_live, wayback.key_match_sql(p_table_id, 't', 'r.key')) end,
    v_cells);

  return query execute format($q$
    with planned as (%s)
    select (wayback.decide(%s, p.key, p.s_first_op, p.s_last_op, p.key_change, p.others_after, p.present,
                           p.deleted_image, p.inserted_image, p.list, $3)).*
      from planned p
  $q$, v_sql, p_table_id)
  using p_selected, v_first, p_force;
end
$$;


-- The revert semantics for one row: what plan_table found, turned into steps. Pure: reads nothing.
create function wayback.decide(
  p_table_id int, p_key jsonb, p_first_op "char", p_last_op "char", p_key_change boolean,
  p_others_after boolean, p_present boolean, p_deleted_image jsonb, p_inserted_image jsonb,
  p_cells wayback.plan_cell[], p_force boolean
) returns setof wayback.plan_step
language plpgsql immutable
set search_path = pg_catalog, pg_temp
as $$
declare
  c wayback.plan_cell;
  v_image jsonb;
  v_restore jsonb := '{}';
  v_current jsonb := '{}';
  v_conflict wayback.plan_step;
begin
  v_conflict := row(p_table_id, p_key, 'conflict', null, null, null, null, null, null)::wayback.plan_step;
  if p_key_change then
    v_conflict.kind := 'row-modified-later';
    return next v_conflict;
    return;
  end if;
  foreach c in array p_cells loop
    if c.alive then v_current := v_current || jsonb_build_object(c.name, c.current); end if;
  end loop;

  if p_first_op = 'I' then
    -- A row the selection inserted: delete it, unless it is already gone or someone else wrote it since.
    if p_last_op = 'D' or not p_present then return; end if;
    if p_others_after and not p_force then
      v_conflict.kind := 'row-modified-later';
      return next v_conflict;
      return;
    end if;
    return next row(p_table_id, p_key, 'delete', null, null, null, null, null, v_current)::wayback.plan_step;
    return;
  end if;

  if p_deleted_image is not null then
    -- The row as it was before the selection: its deleted image, with the cells it had updated first put back.
    -- For a row S updated and then deleted, a cell S updated goes back to its base, unless someone else
    -- wrote it in between: then it keeps their value, as a conflict.
    v_image := p_deleted_image;
    if p_last_op = 'D' then
      if p_present then
        v_conflict.kind := 'pk-taken';
        return next v_conflict;
        return;
      end if;
      -- A cell S updated before deleting, that someone else wrote in between, is a conflict: the row
      -- then stays deleted (re-inserting it would either overwrite their value or half-revert S).
      if p_first_op = 'U' then
        foreach c in array p_cells loop
          continue when not c.wrote or not c.alive or not c.before_delete;
          -- Someone else wrote it in between exactly when the deleted row holds neither S's value nor the base.
          if (v_image->>c.name) is distinct from c.written and (v_image->>c.name) is distinct from c.base and not p_force then
            v_restore := v_restore || jsonb_build_object(c.name, true);
            return next row(p_table_id, p_key, 'conflict', 'cell-changed-later', c.name, c.base, c.written,
              v_image->>c.name, null)::wayback.plan_step;
          else
            v_image := v_image || jsonb_build_object(c.name, c.base);
          end if;
        end loop;
        if v_restore <> '{}' then return; end if;
      end if;
      -- (DESIGN.md: a row S deleted comes back unless its key is taken or a constraint refuses it;
      -- writes by others in between that left the key free do not stop it.)
      foreach c in array p_cells loop
        if c.generated then v_image := v_image - c.name; end if;
      end loop;
      return next row(p_table_id, p_key, 'reinsert', null, null, null, null, null, v_image)::wayback.plan_step;
      return;
    end if;
    -- Deleted, then inserted again under the same key: S wrote every column. Each goes back to what it
    -- was before the delete, unless someone else wrote it since (a conflict, as for any cell).
    if not p_present then
      v_conflict.kind := 'row-deleted-later';
      return next v_conflict;
      return;
    end if;
    if p_first_op = 'U' then
      foreach c in array p_cells loop
        if c.wrote and c.alive and c.before_delete then v_image := v_image || jsonb_build_object(c.name, c.base); end if;
      end loop;
    end if;
    foreach c in array p_cells loop
      continue when not c.alive or c.generated or not v_image ? c.name;
      if c.current is not distinct from (v_image->>c.name) then
        null;
      elsif p_force or not c.touched_since_first then
        v_restore := v_restore || jsonb_build_object(c.name, jsonb_build_object('base', v_image->c.name, 'expected', c.current));
      else
        return next row(p_table_id, p_key, 'conflict', 'cell-changed-later', c.name, v_image->>c.name,
          coalesce(c.written, p_inserted_image->>c.name), c.current, null)::wayback.plan_step;
      end if;
    end loop;
  else
    -- A row that existed before the selection, which only updated it.
    if not p_present then
      v_conflict.kind := 'row-deleted-later';
      return next v_conflict;
      return;
    end if;
    foreach c in array p_cells loop
      continue when not c.wrote or c.generated;
      if not c.alive then
        return next row(p_table_id, p_key, 'conflict', 'schema-changed', c.name, c.base, c.written, null, null)::wayback.plan_step;
      elsif c.current is not distinct from c.base then
        null; -- already as it was
      elsif p_force or (not c.touched and c.current is not distinct from c.written) then
        v_restore := v_restore || jsonb_build_object(c.name, jsonb_build_object('base', c.base, 'expected', c.current));
      else
        return next row(p_table_id, p_key, 'conflict', 'cell-changed-later', c.name, c.base, c.written, c.current, null)::wayback.plan_step;
      end if;
    end loop;
  end if;
  if v_restore <> '{}' then
    return next row(p_table_id, p_key, 'update', null, null, null, null, null, v_restore)::wayback.plan_step;
  end if;
end
$$;

-- Applies one kind of step of one table from the plan in pg_temp.wayback_plan (made by the caller in
-- this transaction), and returns what could not be applied as conflicts: a row that moved since it was
-- planned (a saved plan applied later), or a row a constraint refuses. It tries one set-based
-- statement first; only if that fails does it go row by row, each row in a savepoint of its own, so one
-- row's failure is that row's conflict and never a half-applied revert.
create function wayback.apply_table(p_table_id int, p_action text) returns setof wayback.plan_step
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  v_table wayback.tracked_table;
  v_live text;
  v_match text;
  v_sets text;       -- c = case when p.cells ? 'c' then (p.cells->'c'->>'base')::type else t.c end, …
  v_expected text;   -- for updates: each planned cell still holds its expected value
  v_same text;       -- for deletes: every column still as planned
  v_statement text;  -- the set-based statement, with <<rows>> where its source of plan rows goes
  v_all_rows text;
  v_one_row text := '(select $1::bigint as step_no, $2::jsonb as key, $3::jsonb as cells) p where';
  v_done bigint[];
  v_step record;
  v_state text;
  v_rows int;
begin
  select * into strict v_table from wayback.tracked_table where id = p_table_id;
  v_live := format('%I.%I', v_table.schema_name, v_table.table_name);
  v_match := wayback.key_match_sql(p_table_id, 't', 'p.key');
  select string_agg(format('%1$I = case when p.cells ? %1$L then (p.cells->%1$L->>''base'')::%2$s else t.%1$I end', a.attname, format_type(a.atttypid, a.atttypmod)), ', '),
         coalesce(string_agg(format('(not p.cells ? %1$L or t.%1$I::text is not distinct from p.cells->%1$L->>''expected'')', a.attname), ' and '), 'true'),
         coalesce(string_agg(format('(not p.cells ? %1$L or t.%1$I::text is not distinct from p.cells->>%1$L)', a.attname), ' and '), 'true')
    into v_sets, v_expected, v_same
    from pg_attribute a
   where a.attrelid = v_live::regclass and a.attnum > 0 and not a.attisdropped and a.attgenerated = '';

  v_all_rows := format('pg_temp.wayback_plan p where p.table_id = %s and p.action = %L and', p_table_id, p_action);
  if p_action = 'update' then
    v_statement := format('update %s t set %s from <<rows>> %s and %s returning p.step_no', v_live, v_sets, v_match, v_expected);
  elsif p_action = 'delete' then
    v_statement := format('delete from %s t using <<rows>> %s and %s returning p.step_no', v_live, v_match, v_same);
  end if;

  if p_action in ('update', 'delete') then
    begin
      execute format('with done as (%s) select array_agg(step_no) from done', replace(v_statement, '<<rows>>', v_all_rows)) into v_done;
      -- Steps that matched no row: the row moved or went since the plan was made.
      return query
        update pg_temp.wayback_plan p set action = 'failed'
         where p.table_id = p_table_id and p.action = p_action and not (p.step_no = any (coalesce(v_done, '{}')))
        returning p.table_id, p.key, 'conflict'::text,
                  case when p_action = 'update' then 'cell-changed-later' else 'row-modified-later' end,
                  null::text, null::text, null::text, null::text, null::jsonb;
      return;
    exception when integrity_constraint_violation or check_violation or not_null_violation then
      null; -- some row is refused: go row by row below to find which
    end;
  end if;

  for v_step in select * from pg_temp.wayback_plan p where p.table_id = p_table_id and p.action = p_action order by p.step_no loop
    begin
      if p_action = 'reinsert' then
        execute format('insert into %s (%s) overriding system value select %s from (select $1 as cells) p',
          v_live,
          (select string_agg(format('%I', k), ', ') from jsonb_object_keys(v_step.cells) k),
          (select string_agg(format('(p.cells->>%L)::%s', a.attname, format_type(a.atttypid, a.atttypmod)), ', ')
             from jsonb_object_keys(v_step.cells) k
             join pg_attribute a on a.attrelid = v_live::regclass and a.attname = k and not a.attisdropped))
          using v_step.cells;
        v_rows := 1;
      else
        execute replace(v_statement, '<<rows>>', v_one_row) using v_step.step_no, v_step.key, v_step.cells;
        get diagnostics v_rows = row_count;
      end if;
      if v_rows = 0 then
        update pg_temp.wayback_plan set action = 'failed' where step_no = v_step.step_no;
        return next row(p_table_id, v_step.key, 'conflict',
          case when p_action = 'update' then 'cell-changed-later' else 'row-modified-later' end,
          null, null, null, null, null)::wayback.plan_step;
      end if;
    exception when integrity_constraint_violation or check_violation or not_null_violation then
      get stacked diagnostics v_state = returned_sqlstate;
      update pg_temp.wayback_plan set action = 'failed' where step_no = v_step.step_no;
      return next row(p_table_id, v_step.key, 'conflict',
        case when v_state = '23505' and p_action = 'reinsert' then 'pk-taken'
             when v_state = '23503' and p_action = 'delete' then 'referenced-by-later-rows'
             else 'constraint' end,
        null, null, null, null, null)::wayback.plan_step;
    end;
  end loop;
end
$$;

-- Turns planned deletes of rows that other rows still point at into referenced-by-later-rows
-- conflicts, at plan time (so a dry run and strict mode see them too). A referencing row that the plan
-- deletes as well does not count. Call it for each table, children before parents.
create function wayback.mark_referenced(p_table_id int) returns void
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
begin
  select * into strict v_table from wayback.tracked_table where id = p_table_id;
  v_live := to_regclass(format('%I.%I', v_table.schema_name, v_table.table_name));
  if v_live is null then return; end if;
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
  end loop;
end
$$;

revoke all on all functions in schema wayback from public;
