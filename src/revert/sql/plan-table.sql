-- Plans one table's part of the revert into the plan of this transaction; with $4, restores the
-- clean rows in place as it goes, and returns how many cells it restored so.
-- $1 tracked table id, $2 selected statement ids (bigint[]), $3 force (overwrite later writes), $4 restore clean rows
select wayback.plan_table($1, $2::bigint[], $3, $4) as restored;
