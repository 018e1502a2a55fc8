-- Sets its own search_path: the snapshot must not depend on it.
create schema app;
set local search_path = app, public;
create table item (id int primary key, customer_id int references customer (id));
create view item_view as select i.id, c.email from item i join customer c on c.id = i.customer_id;
