-- Closing the loop with provisioning: an approval writes a cancellation order in its own
-- transaction (an outbox); the order is delivered from its effective date on (pushed to a
-- webhook and/or pulled over the API), and provisioning reports the result.

CREATE TABLE provisioning_orders (
    -- The order id provisioning sees (and the webhook's idempotency key).
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    case_id             bigint NOT NULL REFERENCES cases (id),
    msisdn              text NOT NULL,
    account_number      text NOT NULL,
    effective_date      date NOT NULL,
    -- The customer chose to move the remaining balance to this number: part of the order.
    transfer_msisdn     text,
    status              text NOT NULL CHECK (status IN
                            ('waiting', 'due', 'sent', 'acknowledged', 'done', 'failed', 'withdrawn')),
    created_at          timestamptz NOT NULL DEFAULT now(),
    -- The day came (the clock, or at once for an approval effective today).
    due_at              timestamptz,
    -- Push delivery: attempts made, the next one (also the lease of the attempt in flight).
    attempts            integer NOT NULL DEFAULT 0,
    next_attempt_at     timestamptz,
    last_error          text,
    sent_at             timestamptz,
    acknowledged_at     timestamptz,
    -- The API token that acknowledged it: only that system may then report its result.
    acknowledged_by     bigint REFERENCES api_tokens (id),
    -- Provisioning's result.
    finished_at         timestamptz,
    cancelled_at        timestamptz,
    final_balance_minor bigint,
    failure_reason      text,
    CHECK ((status = 'failed') = (failure_reason IS NOT NULL))
);
-- One live order per case: a failed or withdrawn one may be followed by a new one.
CREATE UNIQUE INDEX provisioning_orders_live_idx ON provisioning_orders (case_id)
    WHERE status NOT IN ('failed', 'withdrawn');
CREATE INDEX provisioning_orders_case_idx ON provisioning_orders (case_id, created_at);
-- The clock: waiting orders by date; the delivery worker: due orders by next attempt.
CREATE INDEX provisioning_orders_waiting_idx ON provisioning_orders (effective_date)
    WHERE status = 'waiting';
CREATE INDEX provisioning_orders_due_idx ON provisioning_orders (next_attempt_at)
    WHERE status = 'due';

-- The queue's "provisioning failed" flag, kept by the workflow with the order's state.
ALTER TABLE cases ADD COLUMN provisioning_failed boolean NOT NULL DEFAULT false;
CREATE INDEX cases_provisioning_failed_idx ON cases (sla_due_at) WHERE provisioning_failed;
-- The balance provisioning reported when the line ended (the notice tells it).
ALTER TABLE cases ADD COLUMN final_balance_minor bigint;

-- API tokens get a scope: intake (hotline, service points: they have a channel) or orders
-- (provisioning pulls orders and reports results).
ALTER TABLE api_tokens ADD COLUMN scope text NOT NULL DEFAULT 'intake'
    CHECK (scope IN ('intake', 'orders'));
ALTER TABLE api_tokens ALTER COLUMN channel DROP NOT NULL;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_channel_for_intake
    CHECK ((scope = 'intake') = (channel IS NOT NULL));

-- The customer hears that the line has ended.
ALTER TABLE notices DROP CONSTRAINT notices_kind_check;
ALTER TABLE notices ADD CONSTRAINT notices_kind_check
    CHECK (kind IN ('received', 'documents_requested', 'approved', 'rejected', 'reminder',
                    'expired', 'account_security', 'withdrawn', 'cancelled'));
