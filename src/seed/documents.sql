-- Documents of the demo cases of this run ($1 = highest case id before it). Every case has an
-- identity card ($2/$3: image digests and sizes); some a PDF proof of ownership ($4/$5).
INSERT INTO documents (case_id, kind, file_name, media_type, size_bytes, sha256, uploaded_by_kind,
                       uploaded_at, verdict, verdict_reason, verdict_by, verdict_at)
SELECT c.id, 'identity_card', 'ktp-photo.png', 'image/png',
       ($3::int[])[1 + c.id % cardinality($3::int[])], ($2::bytea[])[1 + c.id % cardinality($2::bytea[])],
       'customer', c.submitted_at,
       CASE WHEN c.state IN ('approved', 'cancelled') THEN 'accepted'
            WHEN c.state IN ('awaiting_documents', 'expired')
              OR (c.state = 'rejected' AND c.decision_reason = 'identity_not_verified') THEN 'rejected'
            ELSE 'pending' END,
       CASE WHEN c.state IN ('awaiting_documents', 'expired')
              OR (c.state = 'rejected' AND c.decision_reason = 'identity_not_verified')
            THEN 'Photo is blurred; the number cannot be read.' END,
       CASE WHEN c.state IN ('approved', 'cancelled', 'awaiting_documents', 'expired', 'rejected') THEN c.assignee_id END,
       CASE WHEN c.state IN ('approved', 'cancelled', 'awaiting_documents', 'expired', 'rejected') THEN c.submitted_at + interval '2 hours' END
FROM cases c WHERE c.id > $1
UNION ALL
SELECT c.id, 'proof_of_ownership', 'invoice-' || c.account_number || '.pdf', 'application/pdf',
       ($5::int[])[1 + c.id % cardinality($5::int[])], ($4::bytea[])[1 + c.id % cardinality($4::bytea[])],
       'customer', c.submitted_at, 'pending', NULL, NULL, NULL
FROM cases c WHERE c.id > $1 AND c.id % 4 = 0
UNION ALL
-- The answer to a document request: a second identity card photo.
SELECT c.id, 'identity_card', 'ktp-new.png', 'image/png',
       ($3::int[])[1 + (c.id + 7) % cardinality($3::int[])], ($2::bytea[])[1 + (c.id + 7) % cardinality($2::bytea[])],
       'customer', c.submitted_at + interval '1 day', 'pending', NULL, NULL, NULL
FROM cases c WHERE c.id > $1 AND c.documents_received;
