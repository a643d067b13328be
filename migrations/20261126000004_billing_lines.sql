-- The operator's billing facts per line, as billing exports them (here: seeded for the demo).
-- An application takes its line's contract facts from here; a line that is not here, or whose
-- account number differs from the one typed, is marked on the case for the agent to check.
CREATE TABLE billing_lines (
    msisdn          text PRIMARY KEY,
    account_number  text NOT NULL,
    line_type       text NOT NULL CHECK (line_type IN ('prepaid', 'postpaid')),
    activation_date date NOT NULL,
    min_term_end    date,
    etf_minor       bigint NOT NULL DEFAULT 0 CHECK (etf_minor >= 0),
    balance_minor   bigint NOT NULL DEFAULT 0,
    currency        text NOT NULL DEFAULT 'IDR',
    bound_services  text[] NOT NULL DEFAULT '{}'
);

-- How the case's line compares with billing. Cases from before (demo data) carry their facts.
ALTER TABLE cases ADD COLUMN billing_status text NOT NULL DEFAULT 'matched'
    CHECK (billing_status IN ('matched', 'not_found', 'account_mismatch'));
