-- A snapshot of the user's schema, one row per object: its kind, a name that stays the same when the
-- object is dropped and created again (no oids), and the attributes a down must bring back. Objects of
-- wayback's own schema, of the system and of extensions (their members come with the extension) are
-- left out. ACLs are compared through acldefault so that "never granted" and "granted, then revoked"
-- are the same. $1: whether a column's position counts.
with schemas as (
  select oid, nspname, nspacl, nspowner from pg_namespace
  where nspname not in ('pg_catalog', 'information_schema', 'wayback') and nspname !~ '^pg_(toast|temp_|toast_temp_)'
),
relations as (
  select c.*, format('%I.%I', s.nspname, c.relname) as qualified
  from pg_class c join schemas s on s.oid = c.relnamespace
  where not exists (select from pg_depend m where m.classid = 'pg_class'::regclass and m.objid = c.oid and m.deptype = 'e')
)
select 'schema' as kind, quote_ident(s.nspname) as name, jsonb_build_object(
  'acl', (select array_agg(a::text order by a::text) from unnest(coalesce(s.nspacl, acldefault('n', s.nspowner))) a),
  'comment', obj_description(s.oid, 'pg_namespace')
) as attributes
from schemas s
union all
select 'extension', quote_ident(e.extname), jsonb_build_object('version', e.extversion, 'schema', n.nspname)
from pg_extension e join pg_namespace n on n.oid = e.extnamespace
where e.extname <> 'plpgsql'
union all
select
  case r.relkind when 'r' then 'table' when 'p' then 'table' when 'v' then 'view' when 'm' then 'materialized view'
    when 'S' then 'sequence' when 'f' then 'foreign table' end,
  r.qualified,
  jsonb_strip_nulls(jsonb_build_object(
    'partitioned', case when r.relkind = 'p' then pg_get_partkeydef(r.oid) end,
    'partition of', (select format('%s %s', p.parent::regclass, pg_get_expr(r.relpartbound, r.oid)) from (select inhparent as parent from pg_inherits where inhrelid = r.oid) p),
    'unlogged', case when r.relpersistence = 'u' then true end,
    'options', r.reloptions,
    'row level security', case when r.relrowsecurity then case when r.relforcerowsecurity then 'forced' else 'enabled' end end,
    'replica identity', case when r.relreplident <> 'd' then r.relreplident::text end,
    'definition', case when r.relkind in ('v', 'm') then pg_get_viewdef(r.oid) end,
    'sequence', (select jsonb_build_object('type', format_type(q.seqtypid, null), 'start', q.seqstart, 'increment', q.seqincrement,
                   'min', q.seqmin, 'max', q.seqmax, 'cache', q.seqcache, 'cycle', q.seqcycle,
                   'owned by', (select format('%s.%I', d.refobjid::regclass, a.attname) from pg_depend d
                                join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
                                where d.classid = 'pg_class'::regclass and d.objid = r.oid and d.deptype in ('a', 'i')))
                 from pg_sequence q where q.seqrelid = r.oid),
    'acl', (select array_agg(a::text order by a::text) from unnest(coalesce(r.relacl, acldefault((case when r.relkind = 'S' then 's' else 'r' end)::"char", r.relowner))) a),
    'comment', obj_description(r.oid, 'pg_class')
  ))
from relations r
where r.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
union all
select case when r.relkind = 'c' then 'type attribute' else 'column' end, format('%s.%I', r.qualified, a.attname), jsonb_strip_nulls(jsonb_build_object(
  'type', format_type(a.atttypid, a.atttypmod),
  'not null', a.attnotnull,
  'default', case when a.attgenerated = '' then pg_get_expr(d.adbin, d.adrelid) end,
  'generated', case when a.attgenerated <> '' then pg_get_expr(d.adbin, d.adrelid) end,
  'identity', case a.attidentity when 'a' then 'always' when 'd' then 'by default' end,
  'collation', case when a.attcollation <> t.typcollation then (select collname from pg_collation where oid = a.attcollation) end,
  'storage', case when a.attstorage <> t.typstorage then a.attstorage::text end,
  'position', case when $1::boolean then (select count(*) from pg_attribute b where b.attrelid = a.attrelid and b.attnum > 0 and not b.attisdropped and b.attnum <= a.attnum) end,
  'acl', (select array_agg(x::text order by x::text) from unnest(a.attacl) x),
  'comment', col_description(a.attrelid, a.attnum)
))
from relations r
join pg_attribute a on a.attrelid = r.oid and a.attnum > 0 and not a.attisdropped
join pg_type t on t.oid = a.atttypid
left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
where r.relkind in ('r', 'p', 'v', 'm', 'f', 'c')
union all
select 'constraint', format('%s %I', coalesce(r.qualified, format_type(c.contypid, null)), c.conname), jsonb_strip_nulls(jsonb_build_object(
  'definition', pg_get_constraintdef(c.oid),
  'deferrable', case when c.condeferrable then case when c.condeferred then 'initially deferred' else 'initially immediate' end end,
  'not valid', case when not c.convalidated then true end,
  'comment', obj_description(c.oid, 'pg_constraint')
))
from pg_constraint c
left join relations r on r.oid = c.conrelid
join schemas s on s.oid = c.connamespace
where (c.conrelid = 0 or r.oid is not null)
  and not exists (select from pg_depend m where m.classid = 'pg_type'::regclass and m.objid = c.contypid and m.deptype = 'e')
union all
select 'index', r.qualified, jsonb_strip_nulls(jsonb_build_object(
  'definition', pg_get_indexdef(r.oid),
  'clustered', case when i.indisclustered then true end,
  'comment', obj_description(r.oid, 'pg_class')
))
from relations r join pg_index i on i.indexrelid = r.oid
where r.relkind in ('i', 'I')
union all
select 'type', format('%I.%I', s.nspname, t.typname), jsonb_strip_nulls(jsonb_build_object(
  'kind', case t.typtype when 'e' then 'enum' when 'd' then 'domain' when 'c' then 'composite' when 'r' then 'range' when 'm' then 'multirange' when 'b' then 'base' else t.typtype::text end,
  'labels', case when t.typtype = 'e' then (select jsonb_agg(e.enumlabel order by e.enumsortorder) from pg_enum e where e.enumtypid = t.oid) end,
  'base type', case when t.typtype = 'd' then format_type(t.typbasetype, t.typtypmod) end,
  'not null', case when t.typnotnull then true end,
  'default', t.typdefault,
  'subtype', case when t.typtype = 'r' then (select format_type(g.rngsubtype, null) from pg_range g where g.rngtypid = t.oid) end,
  'acl', (select array_agg(a::text order by a::text) from unnest(coalesce(t.typacl, acldefault('T', t.typowner))) a),
  'comment', obj_description(t.oid, 'pg_type')
))
from pg_type t join schemas s on s.oid = t.typnamespace
where t.typtype in ('e', 'd', 'c', 'r', 'b')
  and (t.typtype <> 'c' or (select relkind from pg_class where oid = t.typrelid) = 'c')
  and not (t.typtype = 'b' and t.typelem <> 0 and t.typlen = -1)
  and not exists (select from pg_depend m where m.classid = 'pg_type'::regclass and m.objid = t.oid and m.deptype = 'e')
union all
select case p.prokind when 'a' then 'aggregate' when 'p' then 'procedure' else 'function' end,
  format('%I.%I(%s)', s.nspname, p.proname, pg_get_function_identity_arguments(p.oid)),
  jsonb_strip_nulls(jsonb_build_object(
    'definition', case when p.prokind <> 'a' then pg_get_functiondef(p.oid) end,
    'acl', (select array_agg(a::text order by a::text) from unnest(coalesce(p.proacl, acldefault('f', p.proowner))) a),
    'comment', obj_description(p.oid, 'pg_proc')
  ))
from pg_proc p join schemas s on s.oid = p.pronamespace
where not exists (select from pg_depend m where m.classid = 'pg_proc'::regclass and m.objid = p.oid and m.deptype = 'e')
union all
select 'trigger', format('%s %I', r.qualified, g.tgname), jsonb_strip_nulls(jsonb_build_object(
  'definition', pg_get_triggerdef(g.oid),
  'enabled', case when g.tgenabled <> 'O' then g.tgenabled::text end,
  'comment', obj_description(g.oid, 'pg_trigger')
))
from pg_trigger g join relations r on r.oid = g.tgrelid
where not g.tgisinternal
union all
select 'policy', format('%s %I', r.qualified, p.polname), jsonb_strip_nulls(jsonb_build_object(
  'command', p.polcmd::text,
  'permissive', p.polpermissive,
  'roles', (select jsonb_agg(x.name order by x.name) from (select case when role = 0 then 'public' else pg_get_userbyid(role)::text end as name from unnest(p.polroles) role) x),
  'using', pg_get_expr(p.polqual, p.polrelid),
  'with check', pg_get_expr(p.polwithcheck, p.polrelid),
  'comment', obj_description(p.oid, 'pg_policy')
))
from pg_policy p join relations r on r.oid = p.polrelid
union all
select 'rule', format('%s %I', r.qualified, w.rulename), jsonb_build_object('definition', pg_get_ruledef(w.oid))
from pg_rewrite w join relations r on r.oid = w.ev_class
where w.rulename <> '_RETURN'
