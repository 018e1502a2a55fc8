-- Foreign keys between tracked tables, as (parent, child) pairs of tracked-table ids, so apply can
-- re-insert parents before children and delete children before parents.
-- $1 tracked table ids (int[])
select distinct parent.id as parent, child.id as child
  from pg_constraint k
  join wayback.tracked_table child on child.relid = k.conrelid
  join wayback.tracked_table parent on parent.relid = k.confrelid
 where k.contype = 'f' and child.id = any ($1) and parent.id = any ($1) and child.id <> parent.id;
