-- Bootstrap: the wayback schema and the record of which numbered schema steps are installed.
-- Idempotent; every "wayback init" runs it before looking for pending steps.
create schema if not exists wayback;
create table if not exists wayback.schema_step (
  id int primary key,
  name text not null,
  applied_at timestamptz not null default now()
);
