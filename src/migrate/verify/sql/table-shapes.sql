-- The tables rows can be seeded into (ordinary and partitioned, not partitions themselves: rows go in
-- through the parent), each with its columns and foreign keys: what the seeder builds its INSERTs from.
-- $1: the tables wanted (`schema.table` as format('%I.%I') prints them).
with schemas as (
  select oid, nspname from pg_namespace
  where nspname not in ('pg_catalog', 'information_schema', 'wayback') and nspname !~ '^pg_'
)
select
  format('%I.%I', s.nspname, c.relname) as qualified,
  (select count(*) from pg_inherits i where i.inhrelid = c.oid) > 0 as is_child,
  (
    select jsonb_agg(jsonb_build_object(
      'name', a.attname,
      'object', format('%I.%I.%I', s.nspname, c.relname, a.attname),
      'enumType', case when b.typtype = 'e' then format('%I.%I', (select nspname from pg_namespace where oid = b.typnamespace), b.typname) end,
      'type', format_type(a.atttypid, a.atttypmod),
      'base', format_type(coalesce(nullif(t.typbasetype, 0), a.atttypid), case when t.typbasetype <> 0 then t.typtypmod else a.atttypmod end),
      'category', b.typcategory,
      'isArray', b.typelem <> 0 and b.typlen = -1,
      'labels', (select jsonb_agg(e.enumlabel order by e.enumsortorder) from pg_enum e where e.enumtypid = b.oid),
      'notNull', a.attnotnull or t.typnotnull,
      'filled', a.atthasdef or a.attidentity <> '' or a.attgenerated <> '' or t.typdefault is not null,
      'generated', a.attgenerated <> '' or a.attidentity = 'a',
      -- The CHECKs on this column alone and on its domain, as text: the seeder takes allowed values from them.
      'checks', (
        select coalesce(jsonb_agg(pg_get_constraintdef(k.oid)), '[]')
        from pg_constraint k
        where k.contype = 'c' and ((k.conrelid = c.oid and k.conkey = array[a.attnum]) or k.contypid = a.atttypid)
      ),
      -- For the partition key column (a single-column key), each partition's bound: rows must fall in one.
      'partitionBounds', (
        select jsonb_agg(pg_get_expr(pc.relpartbound, pc.oid))
        from pg_partitioned_table pt
        join pg_inherits i on i.inhparent = pt.partrelid
        join pg_class pc on pc.oid = i.inhrelid
        where pt.partrelid = c.oid and pt.partnatts = 1 and pt.partattrs[0] = a.attnum
      )
    ) order by a.attnum)
    from pg_attribute a
    join pg_type t on t.oid = a.atttypid
    join pg_type b on b.oid = coalesce(nullif(t.typbasetype, 0), a.atttypid)
    where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
  ) as columns,
  (
    select coalesce(jsonb_agg(jsonb_build_object(
      'columns', (select jsonb_agg(a.attname order by k.position) from unnest(f.conkey) with ordinality k(num, position) join pg_attribute a on a.attrelid = f.conrelid and a.attnum = k.num),
      'parent', (select format('%I.%I', pn.nspname, pc.relname) from pg_class pc join pg_namespace pn on pn.oid = pc.relnamespace where pc.oid = f.confrelid),
      'parentColumns', (select jsonb_agg(a.attname order by k.position) from unnest(f.confkey) with ordinality k(num, position) join pg_attribute a on a.attrelid = f.confrelid and a.attnum = k.num)
    )), '[]')
    from pg_constraint f where f.conrelid = c.oid and f.contype = 'f'
  ) as foreign_keys
from pg_class c
join schemas s on s.oid = c.relnamespace
where c.relkind in ('r', 'p') and not c.relispartition
  and format('%I.%I', s.nspname, c.relname) = any($1::text[])
  and not exists (select from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
order by 1
