-- Releases the session-level migration lock. $1 the lock key.
select pg_advisory_unlock($1) as unlocked;
