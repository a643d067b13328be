-- A notice that was waiting to be sent when it stopped being true (a reminder to send documents
-- that have just arrived) is withdrawn rather than sent: "superseded".
ALTER TABLE notices DROP CONSTRAINT notices_status_check;
ALTER TABLE notices ADD CONSTRAINT notices_status_check
    CHECK (status IN ('pending', 'sent', 'failed', 'no_gateway', 'superseded'));
