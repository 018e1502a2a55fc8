-- The statements a selector names, with their tables. Filters combine with AND; null means "any".
-- $1 change set ids (text[]), $2 feature, $3 application_name, $4 txid, $5 since, $6 until,
-- $7 tracked table ids (int[])
select s.id, s.table_id
  from wayback.statement s
 where ($1::text[] is null or s.changeset = any ($1))
   and ($2::text is null or s.feature = $2)
   and ($3::text is null or s.app = $3)
   and ($4::bigint is null or s.txid = $4)
   and ($5::timestamptz is null or s.at >= $5)
   and ($6::timestamptz is null or s.at <= $6)
   and ($7::int[] is null or s.table_id = any ($7))
 order by s.id;
