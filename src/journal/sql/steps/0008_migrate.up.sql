-- 0008 migrate: the history of the user's migrations that `wayback migrate` applied.
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

-- Lossless down: what an up dropped or retyped, kept so that the down brings back the data, not only
-- the structure. The runner notices the loss by comparing the columns before and after the up; it then
-- rolls the up back, copies the affected rows into a table of its own (wayback.kept_<n>: the whole
-- table, or its key and the column) and runs the up again. The down puts the rows back and drops the
-- copy. A row whose migration is null was left over by a down that could not take it back; it stays for
-- whoever restores it by hand.
create table wayback.migration_kept (
  kept_table name primary key,
  migration_id text,
  position int not null,
  what text not null check (what in ('table', 'column')),
  schema_name name not null,
  table_name name not null,
  -- The column (what = 'column'); the table's key columns to match rows on.
  column_name name,
  key_columns name[],
  row_count bigint not null,
  kept_at timestamptz not null default now(),
  check ((what = 'column') = (column_name is not null and key_columns is not null))
);
create index migration_kept_by_migration on wayback.migration_kept (migration_id, position);
create sequence wayback.kept_table_seq;

comment on table wayback.migration_kept is 'data an up dropped or retyped, kept by wayback migrate so the down restores it';
