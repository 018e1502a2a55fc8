SET lock_timeout = '3s';

ALTER TABLE invoice ADD COLUMN due_on date NOT NULL DEFAULT current_date;
ALTER TABLE invoice ALTER COLUMN amount TYPE numeric(14, 2);
ALTER TABLE invoice ADD CONSTRAINT amount_positive CHECK (amount > 0) NOT VALID;
