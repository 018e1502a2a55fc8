-- Records an applied migration with its checksum and its down, so the down can be replayed without the file.
-- $1 id, $2 name, $3 format ('sql' | 'module'), $4 checksum of the up, $5 the down (SQL text or module
-- source; null when irreversible), $6 irreversible reason, $7 lossy note, $8 ran in a transaction, $9 change set.
insert into wayback.migration (id, name, format, checksum, down, irreversible, lossy, in_transaction, changeset)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9);
