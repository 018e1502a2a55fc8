-- Removes a rolled-back migration from the history. $1 id.
delete from wayback.migration where id = $1;
