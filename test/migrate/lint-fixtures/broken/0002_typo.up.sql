SET lock_timeout = '2s';

ALTER TABLE orders ADD COLUMN note text;
ALTER TABLE orders DROP COLUMN note
ALTER TABLE orders ADD COLUMN other text;
