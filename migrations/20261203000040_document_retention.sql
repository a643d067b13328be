-- Identity documents are kept only as long as the case needs them (data protection): a retention
-- period after the case became final, then their bytes are removed (`src/retention.rs`), unless a
-- supervisor has placed a legal hold on the case. Fingerprint, kind, size and verdict stay.

-- When the retention period of the case's documents starts; NULL while the case is open.
-- Kept by the trigger below rather than by each writer, so that every way a case changes state
-- (decisions, bulk triage, the documents clock, a reopening, the coming provisioning report)
-- keeps it right without knowing about retention.
ALTER TABLE cases ADD COLUMN retention_from timestamptz;
-- When the retention job last removed this case's documents (NULL: not yet, for the current
-- final state). Lets the job's index forget the cases it is done with.
ALTER TABLE cases ADD COLUMN documents_removed_at timestamptz;

-- Final states: approved, rejected, cancelled, expired, withdrawn. The period runs from the
-- moment the case last entered a final state, and for an approval never before the end of its
-- effective date (the line still exists until then). A reopened case is open again: its clock
-- stops, and starts afresh at the next decision. Moving from approved to cancelled restarts it.
CREATE FUNCTION cases_retention_clock() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.state IN ('approved', 'rejected', 'cancelled', 'expired', 'withdrawn') THEN
        IF TG_OP = 'INSERT' OR OLD.state IS DISTINCT FROM NEW.state THEN
            NEW.retention_from := now();
            NEW.documents_removed_at := NULL;
        END IF;
        IF NEW.state = 'approved' AND NEW.effective_date IS NOT NULL THEN
            -- Midnight UTC after the effective date: at or after its end in the desk's zone
            -- (east of UTC), and never more than hours early elsewhere.
            NEW.retention_from := greatest(NEW.retention_from,
                (NEW.effective_date + 1)::timestamp AT TIME ZONE 'UTC');
        END IF;
    ELSE
        NEW.retention_from := NULL;
        NEW.documents_removed_at := NULL;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER cases_retention_clock BEFORE INSERT OR UPDATE OF state, effective_date ON cases
    FOR EACH ROW EXECUTE FUNCTION cases_retention_clock();

-- Cases final before this migration: from their last move into the current state (history),
-- else their last change.
UPDATE cases c SET retention_from = greatest(
        coalesce((SELECT max(e.at) FROM case_events e
                  WHERE e.case_id = c.id AND e.to_state = c.state), c.updated_at),
        CASE WHEN c.state = 'approved' AND c.effective_date IS NOT NULL
             THEN (c.effective_date + 1)::timestamp AT TIME ZONE 'UTC' END)
WHERE c.state IN ('approved', 'rejected', 'cancelled', 'expired', 'withdrawn');

-- The retention job's selection (`store::retention::DUE_SQL`): cases whose period started
-- before a cutoff and whose documents are not removed yet, oldest first, in keyset batches.
CREATE INDEX cases_retention_due_idx ON cases (retention_from, id)
    WHERE retention_from IS NOT NULL AND documents_removed_at IS NULL;

-- When a document's bytes were removed under the retention policy (NULL: still here).
ALTER TABLE documents ADD COLUMN removed_at timestamptz;

-- Bytes are shared by every document with the same SHA-256: they are emptied (the redaction
-- marker: zero bytes and `removed_at`) only once no retained document needs them, and come back
-- when the same file is uploaded again (`BlobStore::put`). The row itself stays, so documents
-- keep pointing at their fingerprint.
ALTER TABLE document_blobs ADD COLUMN removed_at timestamptz;

-- A supervisor's legal hold: while a case has one, its documents are not removed. Placing and
-- lifting are recorded in the case history and the audit trail; lifting deletes the row.
CREATE TABLE legal_holds (
    case_id   bigint PRIMARY KEY REFERENCES cases (id),
    reason    text NOT NULL CHECK (length(reason) > 0),
    placed_by bigint NOT NULL REFERENCES agents (id),
    placed_at timestamptz NOT NULL DEFAULT now()
);
