-- Lists change sets, newest write first, with rows written per table and op. A change set is listed
-- when one of its statements matches every filter given; what is shown is the whole change set.
-- $1 feature, $2 application_name, $3 tracked table ids (int[]), $4 column, $5 since, $6 until,
-- $7 change set id, $8 limit. Each may be null for "any".
with matching as (
  select distinct s.changeset
    from wayback.statement s
   where ($1::text is null or s.feature = $1)
     and ($2::text is null or s.app = $2)
     and ($3::int[] is null or s.table_id = any ($3))
     and ($5::timestamptz is null or s.at >= $5)
     and ($6::timestamptz is null or s.at <= $6)
     and ($7::text is null or s.changeset = $7)
     -- An UPDATE entry holds only the columns it changed; an INSERT or DELETE writes every column.
     and ($4::text is null or exists (
       select from wayback.journal_entry e
        where e.stmt = s.id
          and (case when s.op = 'U' then e.before else coalesce(e.before, e.after) end) ? $4))
),
per_table as (
  select s.changeset,
         t.schema_name || '.' || t.table_name as table_name,
         coalesce(sum(s.rows) filter (where s.op = 'I'), 0) as inserted,
         coalesce(sum(s.rows) filter (where s.op = 'U'), 0) as updated,
         coalesce(sum(s.rows) filter (where s.op = 'D'), 0) as deleted,
         min(s.at) as first_at,
         max(s.at) as last_at
    from matching m
    join wayback.statement s on s.changeset = m.changeset
    join wayback.tracked_table t on t.id = s.table_id
   group by s.changeset, t.schema_name, t.table_name
),
sets as (
  select changeset,
         jsonb_object_agg(table_name, jsonb_build_object('inserted', inserted, 'updated', updated, 'deleted', deleted)) as tables,
         min(first_at) as first_at,
         max(last_at) as last_at
    from per_table
   group by changeset
)
select s.changeset as id, meta.feature, meta.kind, meta.actor, meta.app, meta.role, tx.txids,
       s.first_at, s.last_at, s.tables, count(*) over () as total
  from sets s
  cross join lateral (
    select feature, kind, actor, app, role from wayback.statement where changeset = s.changeset order by id limit 1
  ) meta
  cross join lateral (
    select array_agg(distinct txid order by txid) as txids from wayback.statement where changeset = s.changeset
  ) tx
 order by s.last_at desc, s.changeset
 limit $8;
