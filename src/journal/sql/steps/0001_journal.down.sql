-- 0001 journal, undone: removes the journal tables (0002's down removed each table's journal first).
drop table wayback.bulk_statement;
drop sequence wayback.statement_seq;
drop table wayback.tracked_column;
drop table wayback.tracked_table;
