-- The weekend: the customer keeps working, nobody knowing about the job. Each block is one
-- transaction of the product's own apps, untagged like the job.

-- Saturday, the careers site: new candidates apply, each with a profile and an application.
begin;
set local application_name = 'careers-site';
with fresh as (
  insert into candidate (first_name, last_name, email, city, source)
  select (array['Alma', 'Bruno', 'Cleo', 'Dev', 'Eva', 'Femi', 'Gus', 'Hana'])[1 + g % 8],
         (array['Amari', 'Brandt', 'Chua', 'Dube', 'Engel', 'Ferro', 'Grau'])[1 + g % 7],
         'applicant-' || g || '@example.com',
         (array['Accra', 'Lyon', 'Porto', 'Recife', 'Riga'])[1 + g % 5],
         'careers-site'
    from generate_series(1, 150) as g
  returning id, first_name, last_name
),
profiles as (
  insert into profile (candidate_id, headline, linkedin)
  select id, 'Frontend engineer', lower('linkedin.com/in/' || left(first_name, 1) || last_name) from fresh
)
insert into application (candidate_id, opening, stage_id)
select id, 'Frontend Engineer', 1 from fresh;
commit;

-- Saturday, recruiters: applications move along the pipeline, and imported candidates, scrambled
-- names and all, get edits to their other fields.
begin;
set local application_name = 'recruiting-app';
update application set stage_id = stage_id + 1 where stage_id < 5 and id % 8 = 3;
update candidate set city = 'Remote'
 where source = 'ats-import' and id in (select candidate_id from application where stage_id = 3);
update profile set headline = headline || ', open to relocation'
 where candidate_id in (select c.id from candidate c join application a on a.candidate_id = c.id
                         where c.source = 'ats-import' and a.stage_id = 4);
commit;

-- Sunday morning, recruiters: a handful of edits to the very cells the job scrambled. On the phone,
-- two candidates give their names, and three paste a new LinkedIn link.
begin;
set local application_name = 'recruiting-app';
update candidate set first_name = 'Joanna', last_name = 'Kowalska'
 where id = (select id from candidate where source = 'ats-import' order by id offset 20 limit 1);
update candidate set first_name = 'Mateo', last_name = 'Ruiz'
 where id = (select id from candidate where source = 'ats-import' order by id offset 40 limit 1);
update profile set linkedin = linkedin || '-2'
 where candidate_id in (select p.candidate_id from profile p join candidate c on c.id = p.candidate_id
                         where c.source = 'ats-import' and p.linkedin is not null
                         order by p.candidate_id offset 60 limit 3);
commit;

-- Sunday, recruiters: three of the candidates the job created apply to an opening.
begin;
set local application_name = 'recruiting-app';
insert into application (candidate_id, opening, stage_id)
select id, 'Data Analyst', 2 from candidate where email like 'ats-%@import.example' order by id limit 3;
commit;
