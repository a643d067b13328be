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
CROSS JOIN LATERAL (VALUES
    (1, c.submitted_at, 'customer', NULL::bigint, 'submitted', NULL, 'submitted', 1, NULL, NULL, '{}'::jsonb,
        true),
    (2, c.submitted_at + interval '1 hour', 'agent', c.assignee_id, 'claimed', 'submitted', 'in_review', 2, NULL, NULL, '{}',
        c.state NOT IN ('submitted', 'withdrawn') OR c.documents_received),
    (3, c.submitted_at + interval '2 hours', 'agent', c.assignee_id, 'document_accepted', NULL, NULL, 3, NULL, NULL,
        '{"document_kind": "identity_card", "label": "Identity card"}',
        c.state IN ('approved', 'cancelled')),
    (4, c.submitted_at + d.delay, 'agent', c.assignee_id, 'approved', 'in_review', 'approved', 4, NULL, NULL,
        jsonb_build_object('effective_date', c.effective_date, 'fee_confirmed', false, 'fee_minor', 0),
        c.state IN ('approved', 'cancelled')),
    (5, c.effective_date::timestamptz, 'system', NULL, 'cancelled', 'approved', 'cancelled', 5, NULL, NULL, '{}',
        c.state = 'cancelled'),
    (6, c.submitted_at + interval '3 hours', 'agent', c.assignee_id, 'documents_requested', 'in_review', 'awaiting_documents', 3,
        NULL, 'The photo of your identity card is blurred. Please send a sharp photo of the whole card.',
        jsonb_build_object('kinds', ARRAY['identity_card'], 'deadline', (c.submitted_at + interval '14 days')::date),
        c.state IN ('awaiting_documents', 'expired') OR c.documents_received),
    (7, c.submitted_at + interval '14 days', 'system', NULL, 'expired', 'awaiting_documents', 'expired', 4, NULL, NULL, '{}',
        c.state = 'expired'),
    (8, c.submitted_at + interval '1 day', 'customer', NULL, 'documents_received', 'awaiting_documents', 'submitted', 4, NULL, NULL, '{}',
        c.documents_received),
    (9, c.submitted_at + d.delay, 'agent', c.assignee_id, 'rejected', 'in_review', 'rejected', 3, c.decision_reason,
        'We could not verify that you hold this account. You are welcome to apply again with the requested documents.', '{}',
        c.state = 'rejected'),
    (10, c.submitted_at + interval '5 hours', 'customer', NULL, 'withdrawn', 'submitted', 'withdrawn', 2, NULL, NULL, '{}',
        c.state = 'withdrawn'),
    (11, c.submitted_at + interval '90 minutes', 'agent', $2::bigint, 'note', NULL, NULL, 2, NULL,
        'Called the customer to confirm the settlement choice; they will keep the handset instalment running.', '{}',
        c.state = 'in_review' AND c.id % 3 = 0)
) AS e(ord, at, actor_kind, actor_id, kind, from_state, to_state, version, reason_code, message, details, wanted)
-- No ORDER BY: the lateral join already yields each case's events in order, and sorting
-- millions of rows is most of the cost.
WHERE c.id > $1 AND e.wanted;
