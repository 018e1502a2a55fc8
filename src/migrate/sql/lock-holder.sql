-- Who holds the migration lock, to name it in the wait report. $1 the lock key (below 2^31, so the
-- bigint key is objid with classid 0).
select a.pid, coalesce(nullif(a.application_name, ''), 'unnamed') as application_name, a.client_addr::text as client
  from pg_locks l
  join pg_stat_activity a on a.pid = l.pid
 where l.locktype = 'advisory' and l.classid = 0 and l.objid = $1 and l.objsubid = 1 and l.granted
 limit 1;
