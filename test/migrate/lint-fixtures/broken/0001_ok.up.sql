SET lock_timeout = '2s';
DROP TABLE audit_2019;
