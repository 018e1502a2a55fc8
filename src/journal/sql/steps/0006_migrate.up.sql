-- 0006 migrate: the history of the user's migrations that `wayback migrate` applied.
--
-- One row per applied migration. Besides the checksum of its up (so an edited applied migration is
-- caught) it keeps the down itself: the SQL of a pair's down file, or a module's source. An older build
-- whose folder lacks the newer files can still roll a SQL migration back from here; a module's source is
-- kept for the record only, since replaying it would mean running code that is no longer deployed.
-- The row is written in the migration's own transaction, so history and schema never disagree.

create table wayback.migration (
  id text primary key,
  -- Order of application; down goes newest first by this, not by id.
  seq bigint generated always as identity unique,
  name text not null,
  format text not null check (format in ('sql', 'module')),
  checksum text not null,
  down text,
  irreversible text,
  lossy text,
  in_transaction boolean not null default true,
  applied_at timestamptz not null default now(),
  changeset text not null,
  check ((down is null) = (irreversible is not null))
);

comment on table wayback.migration is 'migrations applied by wayback migrate: checksum of the up and the down itself';
