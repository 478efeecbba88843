-- The job runner (README "Jobs"): the history of runs, the queue that
-- `jobs worker` consumes, and the scheduler's memory of what it enqueued.

-- One row per run, written when the run starts and completed when it ends,
-- so a run that crashed shows as started and never finished.
CREATE TABLE job_runs (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job          text NOT NULL CHECK (length(job) BETWEEN 1 AND 100),
  params       jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- 'cli' (`jobs run`, a CronJob) or 'worker' (a queued job).
  trigger      text NOT NULL CHECK (trigger IN ('cli', 'worker')),
  queue_id     bigint,
  run_by       text NOT NULL,  -- host and pid, for finding the process
  started_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at  timestamptz,
  -- NULL while running.
  outcome      text CHECK (outcome IN ('succeeded', 'failed', 'config_error', 'partial', 'skipped')),
  exit_code    smallint,
  processed    bigint NOT NULL DEFAULT 0,
  failed       bigint NOT NULL DEFAULT 0,
  counts       jsonb NOT NULL DEFAULT '{}'::jsonb,  -- job-specific extra counts
  message      text,
  error        text
);

CREATE INDEX job_runs_job_started ON job_runs (job, started_at DESC);
CREATE INDEX job_runs_started ON job_runs (started_at DESC);

CREATE TABLE job_queue (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job           text NOT NULL CHECK (length(job) BETWEEN 1 AND 100),
  params        jsonb NOT NULL DEFAULT '{}'::jsonb,
  state         text NOT NULL DEFAULT 'queued'
                CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'partial')),
  attempts      integer NOT NULL DEFAULT 0,
  max_attempts  integer NOT NULL DEFAULT 5 CHECK (max_attempts BETWEEN 1 AND 100),
  run_after     timestamptz NOT NULL DEFAULT now(),
  locked_by     text,
  locked_at     timestamptz,
  -- Set by the scheduler: one queue row per job and fire time, even with
  -- two schedulers running.
  scheduled_for timestamptz,
  last_error    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz
);

-- What a worker's claim scans: only the rows still waiting.
CREATE INDEX job_queue_ready ON job_queue (run_after, id) WHERE state = 'queued';
CREATE UNIQUE INDEX job_queue_scheduled ON job_queue (job, scheduled_for) WHERE scheduled_for IS NOT NULL;

-- Wakes idle workers (LISTEN promptsales_jobs) as soon as work arrives;
-- they also poll, so a lost notification only costs a poll interval.
CREATE FUNCTION job_queue_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('promptsales_jobs', '');
  RETURN NULL;
END
$$;
CREATE TRIGGER job_queue_notify AFTER INSERT ON job_queue
  FOR EACH STATEMENT EXECUTE FUNCTION job_queue_notify();

-- The scheduler's last enqueued fire time per job: updated under the row
-- lock, so two schedulers enqueue each fire once.
CREATE TABLE job_schedules (
  job                 text PRIMARY KEY,
  last_scheduled_for  timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL DEFAULT now()
);
