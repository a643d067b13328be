-- The history of the demo cases of this run ($1 = highest case id before it, $2 = supervisor),
-- consistent with each case's state and version.
INSERT INTO case_events (case_id, at, actor_kind, actor_id, kind, from_state, to_state, case_version,
                         reason_code, message, details)
SELECT c.id, e.at, e.actor_kind, e.actor_id, e.kind, e.from_state, e.to_state, e.version,
       e.reason_code, e.message, e.details
FROM cases c
-- Decisions take 3 hours, or (cases older than three days) 3 to 63 hours: some miss the SLA.
CROSS JOIN LATERAL (SELECT CASE WHEN c.submitted_at < now() - interval '3 days'
                           THEN interval '3 hours' + make_interval(mins => (c.id * 37 % 3600)::int)
                           ELSE interval '3 hours' END AS delay) d
-- One branch per event a case may have, each computed only when the case has it (a VALUES list
-- computed every candidate row for every case: three times slower). A lateral UNION ALL yields
-- a case's events in branch order, so no ORDER BY is needed: sorting millions of rows is most
-- of the cost.
CROSS JOIN LATERAL (
    SELECT c.submitted_at AS at, 'customer' AS actor_kind, NULL::bigint AS actor_id,
           'submitted' AS kind, NULL::text AS from_state, 'submitted' AS to_state, 1 AS version,
           NULL::text AS reason_code, NULL::text AS message, '{}'::jsonb AS details
    UNION ALL
    SELECT c.submitted_at + interval '1 hour', 'agent', c.assignee_id, 'claimed', 'submitted',
           'in_review', 2, NULL, NULL, '{}'
    WHERE c.state NOT IN ('submitted', 'withdrawn') OR c.documents_received
    UNION ALL
    SELECT c.submitted_at + interval '2 hours', 'agent', c.assignee_id, 'document_accepted', NULL,
           NULL, 3, NULL, NULL, '{"document_kind": "identity_card", "label": "Identity card"}'
    WHERE c.state IN ('approved', 'cancelled')
    UNION ALL
    SELECT c.submitted_at + d.delay, 'agent', c.assignee_id, 'approved', 'in_review', 'approved', 4,
           NULL, NULL,
           jsonb_build_object('effective_date', c.effective_date, 'fee_confirmed', false, 'fee_minor', 0)
    WHERE c.state IN ('approved', 'cancelled')
    UNION ALL
    SELECT c.effective_date::timestamptz, 'system', NULL, 'cancelled', 'approved', 'cancelled', 5,
           NULL, NULL, '{}'
    WHERE c.state = 'cancelled'
    UNION ALL
    SELECT c.submitted_at + interval '3 hours', 'agent', c.assignee_id, 'documents_requested',
           'in_review', 'awaiting_documents', 3, NULL,
           'The photo of your identity card is blurred. Please send a sharp photo of the whole card.',
           jsonb_build_object('kinds', ARRAY['identity_card'],
                              'deadline', (c.submitted_at + interval '14 days')::date)
    WHERE c.state IN ('awaiting_documents', 'expired') OR c.documents_received
    UNION ALL
    SELECT c.submitted_at + interval '14 days', 'system', NULL, 'expired', 'awaiting_documents',
           'expired', 4, NULL, NULL, '{}'
    WHERE c.state = 'expired'
    UNION ALL
    SELECT c.submitted_at + interval '1 day', 'customer', NULL, 'documents_received',
           'awaiting_documents', 'submitted', 4, NULL, NULL, '{}'
    WHERE c.documents_received
    UNION ALL
    SELECT c.submitted_at + d.delay, 'agent', c.assignee_id, 'rejected', 'in_review', 'rejected', 3,
           c.decision_reason,
           'We could not verify that you hold this account. You are welcome to apply again with the requested documents.',
           '{}'
    WHERE c.state = 'rejected'
    UNION ALL
    SELECT c.submitted_at + interval '5 hours', 'customer', NULL, 'withdrawn', 'submitted',
           'withdrawn', 2, NULL, NULL, '{}'
    WHERE c.state = 'withdrawn'
    UNION ALL
    SELECT c.submitted_at + interval '90 minutes', 'agent', $2::bigint, 'note', NULL, NULL, 2, NULL,
           'Called the customer to confirm the settlement choice; they will keep the handset instalment running.',
           '{}'
    WHERE c.state = 'in_review' AND c.id % 3 = 0
) AS e
WHERE c.id > $1;
