-- 0001 journal: the tables every tracked write leaves its before-image in.
--
-- A journal entry is one row written by one statement. Each tracked table has a journal of its own,
-- wayback.journal_<id>, with typed columns (made by 0002's sync_capture): the statement, the row's key,
-- and for each column of the table a before value b<slot> and an after value a<slot>. An INSERT fills
-- the after values, a DELETE the before values, an UPDATE only the pair of each column it changed
-- (unchanged columns stay NULL, which a NULL bitmap stores in one bit). What a statement shares with
-- its rows is on its one row, or in wayback.bulk_statement when it wrote more (below). Typed values
-- round-trip exactly, compare exactly, and cost no jsonb building.

create table wayback.tracked_table (
  id int generated always as identity primary key,
  relid oid not null,
  schema_name text not null,
  table_name text not null,
  key_columns text[] not null,
  key_source text not null check (key_source in ('primary-key', 'explicit')),
  tracked_at timestamptz not null default now(),
  untracked_at timestamptz,
  unique (schema_name, table_name)
);

-- The slots of a tracked table's journal: one per column and type. A column added later gets a new
-- slot; a dropped column's slot, or the old slot of a column whose type changed, is retired and keeps
-- its values. Slots are told apart by statement number: a slot holds values of statements after
-- since_stmt and, once retired, up to until_stmt.
create table wayback.tracked_column (
  table_id int not null references wayback.tracked_table (id),
  slot int not null,
  attnum int2 not null,
  name text not null,
  type text not null,
  compare_as_text boolean not null,
  generated boolean not null,
  since_stmt bigint not null,
  until_stmt bigint,
  primary key (table_id, slot)
);

-- Numbers statements in the order they wrote, across sessions. No cache: with one, each session would
-- draw from its own range, and two writes to one row could be numbered against the order they happened.
create sequence wayback.statement_seq as bigint cache 1;

-- What a statement shares with its rows: table, op, time, and its transaction's txid, change set, tags,
-- application_name and role. A statement that wrote one row, as most applications' writes do, carries
-- this on its journal row (0002's capture; columns op … at of each journal), which saves a second
-- insert and its index entries: 36 µs of a single-row UPDATE's capture, measured by pgbench. A
-- statement that wrote more rows has one row here instead, so a bulk write repeats none of it per row.
-- The view wayback.statement (0003) reads both as one row per statement. A transaction's statements
-- repeat its tags, which costs a few bytes per statement and saves a row per transaction.
-- Unpartitioned: rows are one per bulk statement, so retention can delete them by id range, while each
-- table's journal, one row per row written, is partitioned by statement number and dropped in ranges.
create table wayback.bulk_statement (
  id bigint primary key,
  table_id int not null,
  op "char" not null check (op in ('I', 'U', 'D')),
  rows int not null,
  txid bigint not null,
  changeset text not null,
  feature text,
  kind text,
  actor text,
  app text,
  role text not null,
  at timestamptz not null
);
create index bulk_statement_changeset on wayback.bulk_statement (changeset);
create index bulk_statement_txid on wayback.bulk_statement (txid);
create index bulk_statement_at on wayback.bulk_statement using brin (at);

-- Application roles get nothing here: they write tracked tables, and capture runs as this schema's
-- owner (security definer), so the journal stays append-only for them.
revoke all on schema wayback from public;
revoke all on all tables in schema wayback from public;
revoke all on all sequences in schema wayback from public;
