-- Seed of orders-us for `chasm run`: 1 open order, none shipped, 2 on hold.
CREATE TABLE orders (
  id serial PRIMARY KEY,
  status text NOT NULL,
  amount numeric(10, 2) NOT NULL,
  created_at timestamptz NOT NULL
);

INSERT INTO orders (status, amount, created_at) VALUES
  ('open', 30.00, now() - interval '1 hour'),
  ('on hold', 5.00, now() - interval '10 hours'),
  ('on hold', 7.50, now() - interval '4 days');
