-- Keeps a copy of every row of the product's tables, as jsonb, under the name of a moment of the
-- story; the proofs compare moments cell by cell.
-- $1 moment
insert into demo.snapshot (moment, table_name, pk, row)
select $1, 'stage', id::text, to_jsonb(t) from stage t
union all
select $1, 'candidate', id::text, to_jsonb(t) from candidate t
union all
select $1, 'profile', candidate_id::text, to_jsonb(t) from profile t
union all
select $1, 'application', id::text, to_jsonb(t) from application t;
