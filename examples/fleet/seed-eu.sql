-- Seed of orders-eu for `chasm run`: 3 open orders (one older than a day), 2 shipped, 1 on hold.
CREATE TABLE orders (
  id serial PRIMARY KEY,
  status text NOT NULL,
  amount numeric(10, 2) NOT NULL,
  created_at timestamptz NOT NULL
);

INSERT INTO orders (status, amount, created_at) VALUES
  ('open', 20.00, now() - interval '1 hour'),
  ('open', 15.50, now() - interval '2 hours'),
  ('open', 99.00, now() - interval '3 days'),
  ('shipped', 42.00, now() - interval '5 hours'),
  ('shipped', 8.00, now() - interval '6 hours'),
  ('on hold', 12.25, now() - interval '2 days');

CREATE TABLE refunds (id serial PRIMARY KEY, order_id int NOT NULL);
INSERT INTO refunds (order_id) VALUES (4);
