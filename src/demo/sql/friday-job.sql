-- candidate-mapper, Friday 17:00: the job that syncs candidates imported from the old applicant
-- tracking system. Like most jobs it knows nothing of wayback: no change set tag, only the
-- application_name every PostgreSQL client sets. wayback journals it all the same.
begin;
set local application_name = 'candidate-mapper';

-- The bug: it pairs import rows with candidates by position, one off, so every imported candidate
-- gets the next one's name and LinkedIn link.
update candidate c set first_name = n.first_name, last_name = n.last_name
  from (select id, lead(first_name) over w as first_name, lead(last_name) over w as last_name
          from candidate where source = 'ats-import' window w as (order by id)) n
 where n.id = c.id and n.first_name is not null;

update profile p set linkedin = n.linkedin
  from (select candidate_id, lead(linkedin) over (order by candidate_id) as linkedin
          from profile join candidate on candidate.id = profile.candidate_id
         where candidate.source = 'ats-import') n
 where n.candidate_id = p.candidate_id;

-- Import rows it thinks are new become candidates (they are duplicates).
insert into candidate (first_name, last_name, email, city, source)
select first_name, last_name, 'ats-' || id || '@import.example', city, 'ats-import'
  from candidate
 where source = 'ats-import' and id % 11 = 0;

-- Candidates it takes for duplicates go, and their profiles and applications with them.
delete from candidate where source = 'agency' and id % 37 = 0;
commit;
