DROP TABLE customer;
DROP TYPE customer_tier;
