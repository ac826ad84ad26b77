-- Seed for `chasm run`: a job queue with waiting, running and failed jobs.
CREATE TABLE jobs (
  id serial PRIMARY KEY,
  queue text NOT NULL,
  enqueued_at timestamptz NOT NULL,
  started_at timestamptz,
  failed_at timestamptz
);

INSERT INTO jobs (queue, enqueued_at)
SELECT (ARRAY['email', 'billing'])[1 + i % 2], now() - make_interval(secs => i * 10)
FROM generate_series(1, 12) AS i;

INSERT INTO jobs (queue, enqueued_at, started_at, failed_at)
SELECT 'email', now() - interval '3 minutes', now() - interval '2 minutes', now() - interval '1 minute'
FROM generate_series(1, 3);
