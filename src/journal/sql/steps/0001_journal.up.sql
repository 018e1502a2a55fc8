-- 0001 journal: the tables every tracked write leaves its before-image in.
--
-- A journal entry is one row written by one statement: (stmt, key, before, after). For an UPDATE,
-- before/after hold only the columns whose value changed; for an INSERT, after is the whole row; for
-- a DELETE, before is. What a statement shares with its rows (table, op, time) is in
-- wayback.statement, and what a transaction shares with its statements (txid, change set, feature,
-- application_name, role) in wayback.context, so a bulk write repeats none of that per row.

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

-- One per (transaction, change set, feature): a transaction that re-tags itself midway gets another.
create table wayback.context (
  id bigint generated always as identity primary key,
  txid bigint not null,
  changeset text not null,
  feature text,
  kind text,
  actor text,
  app text,
  role text not null,
  at timestamptz not null
);
create index context_changeset on wayback.context (changeset);
create index context_txid on wayback.context (txid);
create index context_at on wayback.context (at);

-- Numbers statements in the order they wrote, across sessions. No cache: with one, each session would
-- draw from its own range, and two writes to one row could be numbered against the order they happened.
create sequence wayback.statement_seq as bigint cache 1;

-- Statements and entries are partitioned by statement number, which grows with time, so retention can
-- detach and drop old ranges whole. Until retention adds ranges, everything is in the default partitions.
create table wayback.statement (
  id bigint not null,
  context_id bigint not null,
  table_id int not null,
  op "char" not null check (op in ('I', 'U', 'D')),
  at timestamptz not null,
  primary key (id)
) partition by range (id);
create table wayback.statement_default partition of wayback.statement default;
create index statement_context on wayback.statement (context_id);
create index statement_at on wayback.statement using brin (at);

-- BRIN: entries arrive in stmt order, and a BRIN index costs next to nothing per row written.
create table wayback.journal (
  stmt bigint not null,
  pk jsonb not null,
  before jsonb,
  after jsonb
) partition by range (stmt);
create table wayback.journal_default partition of wayback.journal default;
create index journal_stmt on wayback.journal using brin (stmt);

-- Every journal entry with its statement and context, for people reading the journal from psql.
create view wayback.journal_entry as
select j.stmt, c.changeset, c.feature, c.txid, t.schema_name || '.' || t.table_name as table_name,
       j.pk, s.op, j.before, j.after, s.at, c.app, c.role, s.context_id, s.table_id
  from wayback.journal j
  join wayback.statement s on s.id = j.stmt
  join wayback.context c on c.id = s.context_id
  join wayback.tracked_table t on t.id = s.table_id;

-- Application roles get nothing here: they write tracked tables, and capture runs as this schema's
-- owner (security definer), so the journal stays append-only for them.
revoke all on schema wayback from public;
revoke all on all tables in schema wayback from public;
revoke all on all sequences in schema wayback from public;
