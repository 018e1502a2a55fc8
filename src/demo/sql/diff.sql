-- What changed between two moments of the story, counted from the snapshots: per table, rows
-- inserted, rows deleted and rows updated, and per column, the cells changed in rows present at both.
-- $1 the earlier moment, $2 the later one
with a as (select table_name, pk, row from demo.snapshot where moment = $1),
b as (select table_name, pk, row from demo.snapshot where moment = $2)
select b.table_name, null as column_name, 'inserted' as change, count(*)::int as n
  from b
 where not exists (select from a where a.table_name = b.table_name and a.pk = b.pk)
 group by b.table_name
union all
select a.table_name, null, 'deleted', count(*)::int
  from a
 where not exists (select from b where b.table_name = a.table_name and b.pk = a.pk)
 group by a.table_name
union all
select a.table_name, null, 'updated', count(*)::int
  from a join b using (table_name, pk)
 where a.row <> b.row
 group by a.table_name
union all
select a.table_name, cell.key, 'cells', count(*)::int
  from a join b using (table_name, pk)
 cross join lateral jsonb_each(a.row) as cell
 where cell.value is distinct from b.row -> cell.key
 group by a.table_name, cell.key
 order by 1, 2, 3;
