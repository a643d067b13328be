-- Cancellation orders of the demo's approved and cancelled cases ($1: the first new case id), so
-- that every stage of the loop with provisioning can be seen: approved cases' orders waiting for
-- their date, due (no webhook: waiting to be pulled), sent, acknowledged and failed; cancelled
-- cases' orders done. Orders past their waiting stage get an effective date that has come.
WITH staged AS (
    SELECT id, state,
           CASE WHEN state = 'cancelled' THEN 'done'
                ELSE (ARRAY['due', 'sent', 'acknowledged', 'failed', 'waiting', 'waiting'])[1 + id % 6]
           END AS status
    FROM cases WHERE id > $1 AND state IN ('approved', 'cancelled')
), dated AS (
    UPDATE cases c SET
        effective_date = CASE WHEN s.status IN ('waiting', 'done') THEN c.effective_date
                              ELSE current_date - (c.id % 3)::int END,
        provisioning_failed = (s.status = 'failed'),
        final_balance_minor = CASE WHEN s.status = 'done' THEN c.balance_minor END
    FROM staged s WHERE c.id = s.id
    RETURNING c.id, c.msisdn, c.account_number, c.effective_date, c.settlement, c.transfer_msisdn,
              c.balance_minor, s.status
)
INSERT INTO provisioning_orders (case_id, msisdn, account_number, effective_date, transfer_msisdn,
    status, created_at, due_at, next_attempt_at, attempts, last_error, sent_at, acknowledged_at,
    finished_at, cancelled_at, final_balance_minor, failure_reason)
SELECT id, msisdn, account_number, effective_date,
       CASE WHEN settlement = 'transfer' THEN transfer_msisdn END,
       status,
       now() - interval '3 days',
       CASE WHEN status <> 'waiting' THEN effective_date::timestamptz END,
       CASE WHEN status = 'due' THEN now() END,
       CASE WHEN status IN ('sent', 'acknowledged', 'done') THEN 1
            WHEN status = 'failed' THEN 9 ELSE 0 END,
       CASE WHEN status = 'failed' THEN 'no answer: connection refused' END,
       CASE WHEN status IN ('sent', 'acknowledged', 'done') THEN effective_date::timestamptz + interval '5 minutes' END,
       CASE WHEN status IN ('acknowledged', 'done') THEN effective_date::timestamptz + interval '20 minutes' END,
       CASE WHEN status IN ('done', 'failed') THEN effective_date::timestamptz + interval '2 hours' END,
       CASE WHEN status = 'done' THEN effective_date::timestamptz + interval '1 hour' END,
       CASE WHEN status = 'done' THEN balance_minor END,
       CASE WHEN status = 'failed' THEN 'the number is being ported to another operator: end it after the port-out completes' END
FROM dated;
