-- Refunds of the demo's approved and cancelled cases whose customers chose one ($1: the first new
-- case id): pending while the line has not ended; for ended lines due, exported and paid in
-- turn, or owed nothing when no balance was left.
WITH refunds AS (
    SELECT c.*, row_number() OVER (PARTITION BY c.state ORDER BY c.id) AS n
    FROM cases c
    WHERE c.id > $1 AND c.state IN ('approved', 'cancelled') AND c.settlement = 'refund'
), staged AS (
    SELECT r.*, CASE WHEN r.state = 'approved' THEN 'pending'
                     WHEN r.balance_minor <= 0 THEN 'not_owed'
                     ELSE (ARRAY['due', 'exported', 'paid'])[1 + (r.n - 1) % 3] END AS status
    FROM refunds r
)
INSERT INTO settlement_items (case_id, amount_minor, currency, bank, account_number, status,
                              created_at, due_at, exported_at, paid_on, payment_reference)
SELECT id, balance_minor, currency, COALESCE(refund_bank, 'BCA'),
       COALESCE(refund_account, '0000000000'), status,
       now() - interval '3 days',
       CASE WHEN status IN ('due', 'exported', 'paid') THEN now() - interval '2 days' END,
       CASE WHEN status IN ('exported', 'paid') THEN now() - interval '1 day' END,
       CASE WHEN status = 'paid' THEN current_date END,
       CASE WHEN status = 'paid' THEN 'TRF-' || id END
FROM staged;
