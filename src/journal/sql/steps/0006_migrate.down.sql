-- 0006 migrate, undone: the migration history goes (the user's schema stays as the migrations left it).
drop table wayback.migration;
