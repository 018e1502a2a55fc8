-- Seeds the product in one statement from arrays drawn by a seeded generator (seed.ts), so every run
-- has the same candidates; set-based, because PGlite pays for every round trip.
-- $1 candidate ids, $2 first names, $3 last names, $4 emails, $5 cities, $6 sources (one per candidate),
-- $7 headlines, $8 LinkedIn links (one per candidate), $9 application candidate ids, $10 openings,
-- $11 stage ids (one per application). Explicit candidate ids leave the identity sequence behind, so
-- it is moved past them: later inserts take the next ids.
with stages as (
  insert into stage (id, name, position)
  values (1, 'applied', 1), (2, 'screen', 2), (3, 'interview', 3), (4, 'offer', 4), (5, 'hired', 5), (6, 'rejected', 6)
),
candidates as (
  insert into candidate (id, first_name, last_name, email, city, source)
  select * from unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
),
profiles as (
  insert into profile (candidate_id, headline, linkedin)
  select * from unnest($1::int[], $7::text[], $8::text[])
),
applications as (
  insert into application (candidate_id, opening, stage_id)
  select * from unnest($9::int[], $10::text[], $11::int[])
)
select setval(pg_get_serial_sequence('candidate', 'id'), max(id)) from unnest($1::int[]) as id;
