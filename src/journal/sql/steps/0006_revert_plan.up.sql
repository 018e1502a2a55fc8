-- 0006 revert_plan: planning a selective revert, set-based, inside the database, into 0005's steps
-- (0007 applies them; the clean rows of a revert that is applied at once are restored as they are planned).

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

-- Whether a journal entry (j, whose op is the SQL p_op) wrote this column: an UPDATE that changed it,
-- or any INSERT or DELETE while the column existed. A key column's before value is always kept, so for
-- a key an UPDATE wrote it exactly when its after value is there.
create function wayback.writes_sql(p_column wayback.tracked_column, p_key boolean, p_op text) returns text
language sql immutable
set search_path = pg_catalog, pg_temp
as $$
  select format(
    '(j.stmt > %2$s and j.stmt <= %3$s and case when %6$s <> ''U'' then true when %4$s then j.a%1$s is not null else %5$s end)',
    p_column.slot, p_column.since_stmt, coalesce(p_column.until_stmt, 9223372036854775807), p_key::text,
    format(case when p_column.compare_as_text then 'j.b%1$s::text is distinct from j.a%1$s::text' else 'j.b%1$s is distinct from j.a%1$s' end, p_column.slot),
    p_op)
$$;

-- Plans the revert of the selected statements' writes to one table (DESIGN.md "Revert semantics")
-- into this transaction's plan (pg_temp.wayback_plan). Per row the selection S wrote: its timeline
-- from S's first write on (S's entries and everyone else's, in statement order), read per cell, and
-- the row as it is now. The row is not locked here: apply_table re-checks every value a step expects
-- under the row's lock, so a write that lands between plan and apply becomes a conflict. With
-- p_force, cells written later by others are overwritten instead of reported. Rows whose key changed
-- inside the window are reported, not reverted (row-modified-later).
-- With p_restore, the rows that are clean (only S updated them, and nothing since) are restored right
-- here, in the statement that plans them, by one typed UPDATE that checks each cell it restores is
-- still as S left it: most rows of a large revert are clean, and building, storing and re-reading a
-- jsonb step for each cost more than the revert's own write. Returns the cells restored so. A clean
-- row that moved meanwhile, or all of them if a constraint refuses the UPDATE (a foreign key to a row
-- the revert re-inserts later), becomes an ordinary step.
create function wayback.plan_table(p_table_id int, p_selected bigint[], p_force boolean, p_restore boolean)
returns bigint
language plpgsql
set search_path = pg_catalog, pg_temp
-- Restored on return, whatever the body sets (see below).
set enable_nestloop from current
-- Compiling a query's expressions costs more than it saves here, and a disabled nested loop inflates
-- the costs that decide whether to compile: 0.4 s of compiling at 100k rows.
set jit = off
as $$
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
$$;

revoke all on all functions in schema wayback from public;
