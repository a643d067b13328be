-- Assisted review (issue 18): identity cards read by OCR on arrival, pre-checks stored on the
-- case, and the desk's suggested next step.

-- What recognition found on one identity-card document. Personal data: the fields are removed
-- with the document's bytes under the retention policy (`retention::remove_one`), never logged.
CREATE TABLE document_readings (
    document_id  bigint PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    -- read: fields found (some may be missing); failed: the engine could not read the file.
    status       text NOT NULL CHECK (status IN ('read', 'failed')),
    -- {"nik": …, "name": …, "birth_date": …, "boxes": {"nik": [x, y, w, h], …}, "page": [w, h]}
    fields       jsonb,
    -- A short code ('timeout', 'engine_missing', 'unsupported', 'engine_error'), never text.
    failure      text,
    engine_ms    integer,
    read_at      timestamptz NOT NULL DEFAULT now()
);

-- Cases waiting for their reading and pre-checks: claimed with SKIP LOCKED and a lease, so
-- several instances share the work and a crashed worker's case is taken up again.
CREATE TABLE assist_jobs (
    case_id       bigint PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    due_at        timestamptz NOT NULL DEFAULT now(),
    attempts      integer NOT NULL DEFAULT 0,
    -- Raised by every new request for the case: a worker that finishes an older one leaves
    -- the newer request in place (and lets it be claimed at once).
    generation    bigint NOT NULL DEFAULT 1,
    leased_until  timestamptz,
    last_failure  text
);
CREATE INDEX assist_jobs_due_idx ON assist_jobs (due_at);

-- The pre-checks with their evidence (codes and figures, no personal data) and the suggestion
-- drawn from them. NULL: not assessed yet.
ALTER TABLE cases
    ADD COLUMN prechecks   jsonb,
    ADD COLUMN suggestion  text CHECK (suggestion IN ('approve', 'request_ownership',
                                                      'request_authorisation', 'reject_duplicate',
                                                      'needs_person')),
    ADD COLUMN assessed_at timestamptz;

-- The queue's "suggestion" filter over the cases that need action.
CREATE INDEX cases_suggestion_due_idx ON cases (suggestion, sla_due_at, id)
    WHERE suggestion IS NOT NULL AND state IN ('submitted', 'in_review');
-- The queue's order "suggestion first" over the cases that need action: the suggestion's rank
-- exactly as `store::queue` writes it (the order of `Suggestion::ALL`, none last; the plan test
-- fails if the two drift apart), then due time.
CREATE INDEX cases_suggestion_rank_due_idx ON cases
    ((COALESCE(array_position(ARRAY['approve', 'request_ownership', 'request_authorisation',
                                    'reject_duplicate', 'needs_person']::text[], suggestion), 6)),
     sla_due_at, id)
    WHERE state IN ('submitted', 'in_review');

-- Bulk triage can apply each selected case's own suggestion (when it is the one chosen).
ALTER TABLE bulk_operations DROP CONSTRAINT bulk_operations_action_check;
ALTER TABLE bulk_operations ADD CONSTRAINT bulk_operations_action_check
    CHECK (action IN ('claim', 'assign', 'priority', 'request_documents', 'reject', 'approve',
                      'note', 'apply_suggestion'));
