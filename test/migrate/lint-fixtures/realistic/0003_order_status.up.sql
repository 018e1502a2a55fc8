SET lock_timeout = '5s';

ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new';
ALTER TABLE orders ADD COLUMN shipped_at timestamptz NOT NULL;
ALTER TABLE orders ALTER COLUMN total TYPE numeric(12, 2);
ALTER TABLE customer ALTER COLUMN email TYPE text;

ALTER TABLE orders
  ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;
ALTER TABLE orders
  ADD CONSTRAINT orders_status_known CHECK (status IN ('new', 'paid', 'shipped'));
