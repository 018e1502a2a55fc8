-- wayback:allow drop-column  the release before this one stopped reading legacy_code
ALTER TABLE customer DROP COLUMN legacy_code;
ALTER TABLE customer RENAME COLUMN email TO email_address;

CREATE INDEX orders_placed_at ON orders (placed_at);
CREATE INDEX CONCURRENTLY orders_status ON orders (status); -- the safe way

ALTER TYPE customer_tier RENAME TO customer_tier_old;
CREATE TYPE customer_tier AS ENUM ('free', 'pro');
