set local search_path = app, public;
drop view item_view;
drop table item;
drop schema app;
