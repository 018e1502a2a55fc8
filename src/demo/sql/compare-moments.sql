-- Whether two moments of the story hold exactly the same rows: the rows compared, and those that
-- differ (present at one moment only, or different in any column).
-- $1, $2 the moments
with a as (select table_name, pk, row from demo.snapshot where moment = $1),
b as (select table_name, pk, row from demo.snapshot where moment = $2)
select count(*)::int as rows_compared,
       count(*) filter (where a.row is distinct from b.row)::int as rows_differing
  from a full join b using (table_name, pk);
