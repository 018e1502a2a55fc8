-- The first tables: everything is new, so nothing here can lock or break anyone.
CREATE TYPE customer_tier AS ENUM ('free', 'pro', 'enterprise');

CREATE TABLE customer (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email varchar(120) NOT NULL,
  legacy_code text,
  tier customer_tier NOT NULL DEFAULT 'free'
);

CREATE UNIQUE INDEX customer_email_key ON customer (email);
ALTER TABLE customer ADD CONSTRAINT email_has_at CHECK (position('@' in email) > 1);
