-- Every number the revert's proofs rest on, counted from the snapshots (demo.snapshot), never from
-- what the script meant to do. Each cell is followed through four moments: b before the job, j after
-- it, w after the weekend, r after the revert (a jsonb value; SQL NULL where the row did not exist).
-- A cell the job scrambled is one whose value differs between b and j.
with cell as (
  select s.table_name, s.pk, c.key as column_name,
         (array_agg(c.value) filter (where s.moment = 'before-job'))[1] as b,
         (array_agg(c.value) filter (where s.moment = 'after-job'))[1] as j,
         (array_agg(c.value) filter (where s.moment = 'after-weekend'))[1] as w,
         (array_agg(c.value) filter (where s.moment = 'after-revert'))[1] as r
    from demo.snapshot s
   cross join lateral jsonb_each(s.row) as c
   where s.moment in ('before-job', 'after-job', 'after-weekend', 'after-revert')
   group by s.table_name, s.pk, c.key
),
scrambled as (select * from cell where b <> j),
row_at as (
  select table_name, pk,
         (array_agg(row) filter (where moment = 'before-job'))[1] as b,
         (array_agg(row) filter (where moment = 'after-job'))[1] as j,
         (array_agg(row) filter (where moment = 'after-weekend'))[1] as w,
         (array_agg(row) filter (where moment = 'after-revert'))[1] as r
    from demo.snapshot
   where moment in ('before-job', 'after-job', 'after-weekend', 'after-revert')
   group by table_name, pk
),
job_inserted as (
  select i.*,
         -- A weekend application that points at the row keeps it (DESIGN.md: referenced-by-later-rows).
         exists (select from row_at a
                  where a.table_name = 'application' and a.j is null and a.w is not null
                    and i.table_name = 'candidate' and a.w ->> 'candidate_id' = i.pk) as referenced
    from row_at i
   where i.b is null and i.j is not null
)
select
  (select count(*) from scrambled)::int as scrambled_cells,
  (select count(*) from scrambled where w = j)::int as untouched_scrambled_cells,
  (select count(*) from scrambled where w = j and r = b)::int as restored_cells,
  (select count(*) from scrambled where w is distinct from j)::int as rewritten_scrambled_cells,
  (select count(*) from scrambled where w is distinct from j and r = w)::int as kept_rewritten_cells,
  (select count(*) from cell where j <> w)::int as weekend_cells,
  (select count(*) from cell where j <> w and r = w)::int as intact_weekend_cells,
  (select count(*) from row_at where j is null and w is not null)::int as weekend_rows,
  (select count(*) from row_at where j is null and w is not null and r = w)::int as intact_weekend_rows,
  (select count(*) from row_at where b is not null and j is null)::int as deleted_rows,
  (select count(*) from row_at where b is not null and j is null and r = b)::int as reinserted_rows,
  (select count(*) from job_inserted)::int as inserted_rows,
  (select count(*) from job_inserted where referenced)::int as referenced_inserted_rows,
  (select count(*) from job_inserted where r is null)::int as removed_inserted_rows,
  (select count(*) from job_inserted where referenced and r = w)::int as kept_referenced_rows,
  -- Cells the revert changed that the job never wrote: there must be none.
  (select count(*) from cell c
    where c.w <> c.r and not exists (select from scrambled x
                                      where (x.table_name, x.pk, x.column_name) = (c.table_name, c.pk, c.column_name)))::int
    as other_cells_changed,
  -- The conflicts the revert must report, with the values it must report: the scrambled cells the
  -- weekend wrote again, and the rows the job inserted that weekend rows point at.
  coalesce((select jsonb_agg(jsonb_build_object('table', table_name, 'pk', pk, 'column', column_name, 'kind', 'cell-changed-later',
                                                'base', b #>> '{}', 'written', j #>> '{}', 'current', w #>> '{}')
                            order by table_name, pk::int, column_name)
              from scrambled where w is distinct from j), '[]') ||
  coalesce((select jsonb_agg(jsonb_build_object('table', table_name, 'pk', pk, 'column', null, 'kind', 'referenced-by-later-rows',
                                                'base', null, 'written', null, 'current', null)
                            order by table_name, pk::int)
              from job_inserted where referenced), '[]') as expected_conflicts;
