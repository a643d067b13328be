-- Refunds the customers chose become settlement items for finance: opened with the approval (the
-- amount billing knows), made due with the final balance when provisioning ends the line, exported
-- to finance as CSV, marked paid from finance's CSV or over the API.
CREATE TABLE settlement_items (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id             bigint NOT NULL REFERENCES cases (id),
    amount_minor        bigint NOT NULL,
    currency            text NOT NULL,
    bank                text NOT NULL,
    account_number      text NOT NULL,
    status              text NOT NULL CHECK (status IN
                            ('pending', 'due', 'exported', 'paid', 'not_owed', 'withdrawn')),
    created_at          timestamptz NOT NULL DEFAULT now(),
    due_at              timestamptz,
    exported_at         timestamptz,
    paid_on             date,
    payment_reference   text,
    CHECK ((status = 'paid') = (paid_on IS NOT NULL AND payment_reference IS NOT NULL)),
    CHECK (status NOT IN ('due', 'exported', 'paid') OR amount_minor > 0)
);
-- One live item per case: a reopened case's item is withdrawn, a new approval opens another.
CREATE UNIQUE INDEX settlement_items_live_idx ON settlement_items (case_id)
    WHERE status <> 'withdrawn';
CREATE INDEX settlement_items_status_idx ON settlement_items (status, id);

-- Finance's systems may mark refunds paid over the API: a third token scope.
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_scope_check;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scope_check
    CHECK (scope IN ('intake', 'orders', 'finance'));
