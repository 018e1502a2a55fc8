-- Per table rows can be seeded into, a digest of its columns (name, type, nullability): the seeder gives
-- rows to a table when this changes, and reads the full shape (table-shapes.sql) only then.
select
  format('%I.%I', n.nspname, c.relname) as qualified,
  md5(string_agg(format('%I %s %s', a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull), ',' order by a.attnum)) as signature
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
where c.relkind in ('r', 'p') and not c.relispartition
  and n.nspname not in ('pg_catalog', 'information_schema', 'wayback')
  and n.nspname !~ '^pg_'
group by 1
