-- Billing imports started by supervisors on /admin/billing, with their progress (the page shows
-- it while the import runs in the background) and their outcome. One runs at a time.
CREATE TABLE billing_imports (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_by     bigint REFERENCES agents (id),
    file_name      text NOT NULL,
    started_at     timestamptz NOT NULL DEFAULT now(),
    -- Moved on every batch: a running import that stopped moving was interrupted.
    updated_at     timestamptz NOT NULL DEFAULT now(),
    finished_at    timestamptz,
    status         text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
    rows_read      bigint NOT NULL DEFAULT 0,
    inserted       bigint NOT NULL DEFAULT 0,
    updated        bigint NOT NULL DEFAULT 0,
    failed         bigint NOT NULL DEFAULT 0,
    cases_matched  bigint NOT NULL DEFAULT 0,
    -- The first row errors: [[line, message], …].
    errors         jsonb NOT NULL DEFAULT '[]',
    failure        text
);
CREATE UNIQUE INDEX billing_imports_one_running_idx ON billing_imports ((true)) WHERE status = 'running';
