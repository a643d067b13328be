-- Cancellation cases, their append-only history and their documents.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE cases (
    id                       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- What customers and agents see; the id never leaves the server in a customer's URL.
    reference                text NOT NULL UNIQUE,
    state                    text NOT NULL CHECK (state IN ('submitted', 'in_review',
                                 'awaiting_documents', 'approved', 'rejected', 'cancelled',
                                 'expired', 'withdrawn')),
    -- Optimistic concurrency: every change bumps it; a form carries the version it was shown.
    version                  integer NOT NULL DEFAULT 1,
    channel                  text NOT NULL CHECK (channel IN ('web', 'hotline', 'service_point')),

    customer_name            text NOT NULL,
    customer_nik             text NOT NULL,
    contact_email            text,
    contact_phone            text,
    preferred_contact        text NOT NULL CHECK (preferred_contact IN ('email', 'sms')),

    msisdn                   text NOT NULL,
    account_number           text NOT NULL,
    line_type                text NOT NULL CHECK (line_type IN ('prepaid', 'postpaid')),
    activation_date          date NOT NULL,
    min_term_end             date,
    -- Money in minor units of `currency`; never floats.
    etf_minor                bigint NOT NULL DEFAULT 0 CHECK (etf_minor >= 0),
    balance_minor            bigint NOT NULL DEFAULT 0,
    currency                 text NOT NULL DEFAULT 'IDR',
    bound_services           text[] NOT NULL DEFAULT '{}',

    reason                   text NOT NULL,
    reason_text              text,
    settlement               text NOT NULL CHECK (settlement IN ('refund', 'transfer', 'forfeit')),
    refund_bank              text,
    refund_account           text,
    transfer_msisdn          text,
    requested_effective_date date NOT NULL,
    consent                  boolean NOT NULL,

    submitted_at             timestamptz NOT NULL,
    -- Service-level due time. While documents are awaited the clock is paused (sla_paused_at);
    -- on their arrival the remaining time is added to the arrival time.
    sla_due_at               timestamptz NOT NULL,
    sla_paused_at            timestamptz,
    assignee_id              bigint REFERENCES agents (id),
    priority                 smallint NOT NULL DEFAULT 0,
    documents_received       boolean NOT NULL DEFAULT false,
    -- Set by decisions.
    effective_date           date,
    decision_reason          text,
    documents_deadline       timestamptz,
    requested_kinds          text[] NOT NULL DEFAULT '{}',
    updated_at               timestamptz NOT NULL DEFAULT now()
);

-- The queue's default view (needs action, by due time) and its keyset pages.
CREATE INDEX cases_needs_action_idx ON cases (sla_due_at, id)
    WHERE state IN ('submitted', 'in_review');
-- The queue filtered by one state.
CREATE INDEX cases_state_due_idx ON cases (state, sla_due_at, id);
-- The queue filtered by assignee ("me").
CREATE INDEX cases_assignee_due_idx ON cases (assignee_id, sla_due_at, id);
-- Search by phone number, and the "duplicate line" flag (another open case for the number).
CREATE INDEX cases_msisdn_idx ON cases (msisdn);
-- Search by part of a customer's name.
CREATE INDEX cases_customer_name_trgm_idx ON cases USING gin (customer_name gin_trgm_ops);

-- Every change of a case, in order. Rows are never updated or deleted (enforced below).
CREATE TABLE case_events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id      bigint NOT NULL REFERENCES cases (id),
    at           timestamptz NOT NULL DEFAULT now(),
    actor_kind   text NOT NULL CHECK (actor_kind IN ('agent', 'customer', 'system')),
    actor_id     bigint REFERENCES agents (id),
    kind         text NOT NULL,
    from_state   text,
    to_state     text,
    -- The case's version after this event: the conflict page lists what happened since a form's.
    case_version integer NOT NULL,
    reason_code  text,
    message      text,
    details      jsonb NOT NULL DEFAULT '{}'
);
-- The case page's timeline and the conflict page's "since version N".
CREATE INDEX case_events_case_idx ON case_events (case_id, id);

CREATE FUNCTION refuse_history_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'case history is append-only (% refused)', TG_OP;
END;
$$;
CREATE TRIGGER case_events_append_only BEFORE UPDATE OR DELETE ON case_events
    FOR EACH ROW EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER case_events_no_truncate BEFORE TRUNCATE ON case_events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change();

-- Document bytes, stored once per content (SHA-256). Kept apart from `documents` so that listing
-- a case's documents never reads the bytes.
CREATE TABLE document_blobs (
    sha256 bytea PRIMARY KEY,
    bytes  bytea NOT NULL
);

CREATE TABLE documents (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id           bigint NOT NULL REFERENCES cases (id),
    kind              text NOT NULL,
    -- Display text only, sanitised on upload; never used to decide anything.
    file_name         text NOT NULL,
    -- Detected from the bytes.
    media_type        text NOT NULL CHECK (media_type IN ('image/jpeg', 'image/png', 'application/pdf')),
    size_bytes        integer NOT NULL CHECK (size_bytes > 0),
    sha256            bytea NOT NULL REFERENCES document_blobs (sha256),
    uploaded_by_kind  text NOT NULL CHECK (uploaded_by_kind IN ('agent', 'customer', 'system')),
    uploaded_by       bigint REFERENCES agents (id),
    uploaded_at       timestamptz NOT NULL DEFAULT now(),
    verdict           text NOT NULL DEFAULT 'pending' CHECK (verdict IN ('pending', 'accepted', 'rejected')),
    verdict_reason    text,
    verdict_by        bigint REFERENCES agents (id),
    verdict_at        timestamptz
);
-- The case page's document list.
CREATE INDEX documents_case_idx ON documents (case_id, id);
-- The same document on cases of different customers (fraud signal).
CREATE INDEX documents_sha256_idx ON documents (sha256);

-- Counts per state for the queue, maintained by statement-level triggers so that the queue never
-- runs COUNT(*) over all cases, and a bulk change of thousands of rows costs one update per state.
CREATE TABLE case_state_counts (
    state text PRIMARY KEY,
    count bigint NOT NULL
);
INSERT INTO case_state_counts (state, count)
SELECT unnest(ARRAY['submitted', 'in_review', 'awaiting_documents', 'approved', 'rejected',
                    'cancelled', 'expired', 'withdrawn']), 0;

CREATE FUNCTION case_state_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE case_state_counts c SET count = c.count + d.n
        FROM (SELECT state, count(*) AS n FROM new_rows GROUP BY state) d
        WHERE c.state = d.state;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE case_state_counts c SET count = c.count - d.n
        FROM (SELECT state, count(*) AS n FROM old_rows GROUP BY state) d
        WHERE c.state = d.state;
    ELSE
        UPDATE case_state_counts c SET count = c.count + d.n
        FROM (SELECT state, sum(n) AS n
              FROM (SELECT state, 1 AS n FROM new_rows
                    UNION ALL SELECT state, -1 FROM old_rows) moves
              GROUP BY state HAVING sum(n) <> 0) d
        WHERE c.state = d.state;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER case_state_counts_insert AFTER INSERT ON cases
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION case_state_counts_apply();
CREATE TRIGGER case_state_counts_update AFTER UPDATE ON cases
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION case_state_counts_apply();
CREATE TRIGGER case_state_counts_delete AFTER DELETE ON cases
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION case_state_counts_apply();
