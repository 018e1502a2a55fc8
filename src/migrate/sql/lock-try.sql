-- Takes the migration lock for the session, without waiting. $1 the lock key. The runner holds one
-- connection for the whole run (src/migrate/session.ts), so the session that takes it releases it.
select pg_try_advisory_lock($1) as locked;
