-- Seed for `chasm run`: 42 live sessions and 8 expired ones.
CREATE TABLE sessions (
  id serial PRIMARY KEY,
  region text NOT NULL,
  expires_at timestamptz NOT NULL
);

INSERT INTO sessions (region, expires_at)
SELECT (ARRAY['eu', 'us', 'ap'])[1 + i % 3], now() + interval '1 hour'
FROM generate_series(1, 42) AS i;

INSERT INTO sessions (region, expires_at)
SELECT 'eu', now() - interval '1 hour'
FROM generate_series(1, 8);
