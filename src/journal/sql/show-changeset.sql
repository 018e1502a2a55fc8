-- What one change set wrote, per table: rows per op, the columns it touched and a few sample entries
-- (before → after), in the order they were written.
-- $1 change set id, $2 samples per table
with e as (
  select s.table_id, s.op, j.stmt, j.pk, j.before, j.after,
         row_number() over (partition by s.table_id order by j.stmt, j.pk) as n
    from wayback.context c
    join wayback.statement s on s.context_id = c.id
    join wayback.journal j on j.stmt = s.id
   where c.changeset = $1
)
select t.schema_name || '.' || t.table_name as table_name,
       count(*) filter (where e.op = 'I') as inserted,
       count(*) filter (where e.op = 'U') as updated,
       count(*) filter (where e.op = 'D') as deleted,
       (select array_agg(distinct k order by k)
          from e e2 cross join lateral jsonb_object_keys(coalesce(e2.before, e2.after)) k
         where e2.table_id = e.table_id) as columns,
       coalesce(jsonb_agg(jsonb_build_object('op', e.op, 'pk', e.pk, 'before', e.before, 'after', e.after) order by e.n)
         filter (where e.n <= $2), '[]') as samples
  from e
  join wayback.tracked_table t on t.id = e.table_id
 group by t.schema_name, t.table_name, e.table_id
 order by 1;
