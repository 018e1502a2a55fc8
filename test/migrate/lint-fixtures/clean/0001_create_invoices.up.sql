CREATE TABLE invoice (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  number text NOT NULL,
  amount numeric(10, 2) NOT NULL
);
CREATE UNIQUE INDEX invoice_number_key ON invoice (number);
