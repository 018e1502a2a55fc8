-- Rows per table at one moment of the story.
-- $1 moment
select table_name, count(*)::int as n from demo.snapshot where moment = $1 group by table_name order by table_name;
