-- The applied migrations, in the order they were applied (down undoes them newest first).
select id, name, format, checksum, down, irreversible, lossy, in_transaction, applied_at, changeset
  from wayback.migration
 order by seq;
