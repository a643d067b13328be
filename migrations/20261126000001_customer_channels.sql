-- The customer's side of a case and the other ways in: upload links answering a document
-- request, API tokens of the hotline and service-point systems, idempotent API retries, and the
-- outbox of notices to customers.

-- One row per document request. The token itself is never stored: only its SHA-256.
CREATE TABLE upload_links (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id       bigint NOT NULL REFERENCES cases (id),
    token_sha256  bytea NOT NULL UNIQUE,
    -- The document kinds the customer may upload through this link.
    kinds         text[] NOT NULL CHECK (cardinality(kinds) > 0),
    expires_at    timestamptz NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    used_at       timestamptz,
    -- Set when the reminder notice was written; the reminder job never writes a second one.
    reminded_at   timestamptz
);
CREATE INDEX upload_links_case_idx ON upload_links (case_id, id);
-- The reminder job: open links, by deadline.
CREATE INDEX upload_links_open_idx ON upload_links (expires_at)
    WHERE used_at IS NULL AND reminded_at IS NULL;
-- The expiry job: cases waiting for documents, by deadline.
CREATE INDEX cases_documents_deadline_idx ON cases (documents_deadline)
    WHERE state = 'awaiting_documents';

-- Bearer tokens of other systems; created and revoked by supervisors. Only the hash is kept.
CREATE TABLE api_tokens (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text NOT NULL,
    -- The channel cases created with this token are recorded under.
    channel       text NOT NULL CHECK (channel IN ('hotline', 'service_point')),
    token_sha256  bytea NOT NULL UNIQUE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    created_by    bigint REFERENCES agents (id),
    revoked_at    timestamptz,
    revoked_by    bigint REFERENCES agents (id),
    last_used_at  timestamptz
);
CREATE UNIQUE INDEX api_tokens_active_name_idx ON api_tokens (name) WHERE revoked_at IS NULL;

-- A retried POST with the same Idempotency-Key answers with the case the first one created.
CREATE TABLE api_idempotency_keys (
    token_id        bigint NOT NULL REFERENCES api_tokens (id),
    key             text NOT NULL,
    -- The same key with a different body is a client error, not a replay.
    request_sha256  bytea NOT NULL,
    case_id         bigint NOT NULL REFERENCES cases (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (token_id, key)
);

-- Every notice to a customer, written in the same transaction as the change it reports, so a
-- crash between "decided" and "sent" loses nothing; a worker delivers them.
CREATE TABLE notices (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id          bigint NOT NULL REFERENCES cases (id),
    kind             text NOT NULL CHECK (kind IN ('received', 'documents_requested', 'approved',
                         'rejected', 'reminder', 'expired')),
    channel          text NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient        text NOT NULL,
    subject          text NOT NULL,
    -- Rendered text. An upload link appears as the placeholder {upload_link}; the token it
    -- needs is kept in link_token only until the notice is delivered, then erased.
    body             text NOT NULL,
    link_token       text,
    status           text NOT NULL DEFAULT 'pending'
                         CHECK (status IN ('pending', 'sent', 'failed', 'no_gateway')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz
);
CREATE INDEX notices_case_idx ON notices (case_id, id);
CREATE INDEX notices_due_idx ON notices (next_attempt_at, id) WHERE status = 'pending';
