-- 0003 entry_views, undone (0002's down drops the journals the views read next).
drop view wayback.journal_entry;
drop view wayback.statement;
drop function wayback.refresh_entry_view();
drop function wayback.image_sql(text[]);
