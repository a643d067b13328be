-- The customer may withdraw an undecided application (on the status page, or through the
-- hotline over the intake API); a notice confirms it. Its kind joins the kinds of before.
ALTER TABLE notices DROP CONSTRAINT notices_kind_check;
ALTER TABLE notices ADD CONSTRAINT notices_kind_check
    CHECK (kind IN ('received', 'documents_requested', 'approved', 'rejected', 'reminder',
                    'expired', 'account_security', 'withdrawn'));
