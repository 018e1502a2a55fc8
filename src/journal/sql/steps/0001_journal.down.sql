-- 0001 journal, undone: removes the journal tables (capture was removed by 0002's down first).
drop view wayback.journal_entry;
drop table wayback.journal;
drop table wayback.statement;
drop sequence wayback.statement_seq;
drop table wayback.context;
drop table wayback.tracked_table;
