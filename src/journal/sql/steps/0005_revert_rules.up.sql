-- 0005 revert_rules: the revert semantics (DESIGN.md "Revert semantics") for one row, and the plan
-- they produce. 0006 plans a revert with them, 0007 applies the plan.
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

-- One column of one row the selection touched, as plan_table hands it to decide. "S" is the selection;
-- S writes a cell when it updates it or deletes the row (an insert starts a row S will delete anyway).
create type wayback.plan_cell as (
  name text,
  wrote boolean,      -- S wrote it (an update that changed it, or a delete of the row)
  base text,          -- before S's first write of it
  written text,       -- after S's last update or insert of it
  current text,       -- now
  touched boolean,    -- someone outside S wrote it after S's first write of it
  touched_before_last boolean,  -- ... and before S's last write of the row
  last_before text,   -- right before S's last write of the row
  alive boolean,      -- the column still exists with the type it had
  name_alive boolean, -- a column of its name exists (its type may have changed since)
  generated boolean
);

-- The revert semantics for one row: what plan_table found, turned into steps. Pure: reads nothing.
create function wayback.decide(
  p_table_id int, p_key jsonb, p_first_op text, p_last_op text, p_key_change boolean,
  p_others_after boolean, p_present boolean, p_cells wayback.plan_cell[], p_force boolean
) returns setof wayback.plan_step
language plpgsql immutable
-- One step per row, or a few conflicts: left at the default estimate of 1,000, the planner costs
-- plan_table's query high enough for a server with JIT to spend ~0.8 s compiling a 2 ms query.
rows 2
set search_path = pg_catalog, pg_temp
as $$
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

revoke all on all functions in schema wayback from public;
