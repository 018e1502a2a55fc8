-- The columns of the user's tables (not wayback's, not the system's), with each table's primary key:
-- what an up is compared on to see whether it dropped or retyped something that holds data.
with keys as (
  select i.indrelid as table_oid, array_agg(k.attname::text order by key.position) as key_columns
  from pg_index i
  cross join unnest(i.indkey) with ordinality as key(column_number, position)
  join pg_attribute k on k.attrelid = i.indrelid and k.attnum = key.column_number
  where i.indisprimary
  group by i.indrelid
)
select
  c.oid::bigint as table_oid,
  n.nspname as schema_name,
  c.relname as table_name,
  format('%I.%I', n.nspname, c.relname) as qualified,
  c.relispartition as is_partition,
  c.relkind = 'p' as is_partitioned,
  a.attnum::int as column_number,
  a.attname as column_name,
  a.atttypid::bigint as type_oid,
  a.atttypmod as type_modifier,
  format_type(a.atttypid, a.atttypmod) as type_name,
  a.attgenerated <> '' as is_generated,
  keys.key_columns
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
left join keys on keys.table_oid = c.oid
where c.relkind in ('r', 'p')
  and n.nspname not in ('pg_catalog', 'information_schema', 'wayback')
  and n.nspname !~ '^pg_'
