-- CONCURRENTLY cannot run in a transaction: the runner runs this file outside one.
CREATE INDEX CONCURRENTLY invoice_due_on ON invoice (due_on);
