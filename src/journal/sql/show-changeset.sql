-- What one change set wrote, per table: rows per op, the columns it touched and a few sample entries
-- (before → after), in the order they were written.
-- $1 change set id, $2 samples per table
with e as (
  select e.table_id, e.table_name, e.op, e.stmt, e.pk, e.before, e.after,
         row_number() over (partition by e.table_id order by e.stmt, e.pk) as n
    from wayback.journal_entry e
   where e.changeset = $1
)
select e.table_name,
       count(*) filter (where e.op = 'I') as inserted,
       count(*) filter (where e.op = 'U') as updated,
       count(*) filter (where e.op = 'D') as deleted,
       (select array_agg(distinct k order by k)
          from e e2 cross join lateral jsonb_object_keys(coalesce(e2.before, e2.after)) k
         where e2.table_id = e.table_id) as columns,
       coalesce(jsonb_agg(jsonb_build_object('op', e.op, 'pk', e.pk, 'before', e.before, 'after', e.after) order by e.n)
         filter (where e.n <= $2), '[]') as samples
  from e
 group by e.table_name, e.table_id
 order by 1;
