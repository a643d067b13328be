-- Bulk triage: an operation is previewed (every selected case evaluated and recorded), then
-- applied once, in batches. Both the preview and the report read these rows.

CREATE TABLE bulk_operations (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Random, used in URLs; applying it twice is a no-op (the status moves only forward).
    public_id   text NOT NULL UNIQUE,
    agent_id    bigint NOT NULL REFERENCES agents (id),
    action      text NOT NULL CHECK (action IN ('claim', 'assign', 'priority', 'request_documents',
                                                'reject', 'approve', 'note')),
    params      jsonb NOT NULL,
    -- How the cases were chosen, in words, for the pages.
    selection   text NOT NULL,
    status      text NOT NULL DEFAULT 'previewed' CHECK (status IN ('previewed', 'applying', 'applied')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    applied_at  timestamptz
);

CREATE TABLE bulk_items (
    operation_id bigint NOT NULL REFERENCES bulk_operations (id),
    case_id      bigint NOT NULL REFERENCES cases (id),
    -- The case's version when it was selected: a later change means "skip, changed since".
    seen_version integer NOT NULL,
    outcome      text NOT NULL CHECK (outcome IN ('will_change', 'skip', 'changed', 'skipped', 'failed')),
    reason       text,
    PRIMARY KEY (operation_id, case_id)
);
-- Applying walks the will-change items in case order, a batch at a time; the report pages them.
CREATE INDEX bulk_items_outcome_idx ON bulk_items (operation_id, outcome, case_id);
