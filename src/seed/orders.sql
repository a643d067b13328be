-- Cancellation orders of the demo's approved and cancelled cases ($1: the first new case id), so
-- that every stage of the loop with provisioning can be seen: approved cases' orders waiting for
-- their date, due (no webhook: waiting to be pulled), sent, acknowledged and failed; cancelled
-- cases' orders done. cases.sql chose each stage and wrote what it means on the case (the end
-- date, failed, the final balance); the stage is read back from those columns here, so no case
-- row is written twice.
WITH staged AS (
    SELECT id, msisdn, account_number, effective_date, settlement, transfer_msisdn, balance_minor,
           CASE WHEN state = 'cancelled' THEN 'done'
                WHEN provisioning_failed THEN 'failed'
                WHEN effective_date > current_date THEN 'waiting'
                ELSE (ARRAY['due', 'sent', 'acknowledged'])[1 + id % 3]
           END AS status
    FROM cases WHERE id > $1 AND state IN ('approved', 'cancelled')
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
FROM staged;
