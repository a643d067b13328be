-- The "duplicate line" signal (another open case for the same phone number) as a column kept up
-- to date when cases arrive or change state, instead of one index probe per row on every queue
-- page (the performance benchmark's profile showed those probes as most of the page query).

ALTER TABLE cases ADD COLUMN duplicate_line boolean NOT NULL DEFAULT false;

-- Recomputes the flag for every case of the given lines.
CREATE FUNCTION refresh_duplicate_lines(lines text[]) RETURNS void LANGUAGE sql AS $$
    UPDATE cases c SET duplicate_line = d.flag
    FROM (
        SELECT id,
               count(*) FILTER (WHERE state IN ('submitted', 'in_review', 'awaiting_documents'))
                   OVER (PARTITION BY msisdn)
               - CASE WHEN state IN ('submitted', 'in_review', 'awaiting_documents') THEN 1 ELSE 0 END
               > 0 AS flag
        FROM cases WHERE msisdn = ANY(lines)
    ) d
    WHERE c.id = d.id AND c.duplicate_line IS DISTINCT FROM d.flag;
$$;

CREATE FUNCTION duplicate_lines_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_duplicate_lines(ARRAY(SELECT DISTINCT msisdn FROM new_rows));
    RETURN NULL;
END;
$$;

CREATE FUNCTION duplicate_lines_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The refresh's own UPDATE fires this trigger again: nothing to do at that depth.
    IF pg_trigger_depth() > 1 THEN
        RETURN NULL;
    END IF;
    PERFORM refresh_duplicate_lines(ARRAY(
        SELECT DISTINCT n.msisdn FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE o.state IS DISTINCT FROM n.state OR o.msisdn IS DISTINCT FROM n.msisdn
        UNION SELECT o.msisdn FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE o.msisdn IS DISTINCT FROM n.msisdn));
    RETURN NULL;
END;
$$;

CREATE TRIGGER cases_duplicate_lines_insert AFTER INSERT ON cases
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION duplicate_lines_after_insert();
CREATE TRIGGER cases_duplicate_lines_update AFTER UPDATE ON cases
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION duplicate_lines_after_update();

-- Existing cases: only lines with more than one case can be flagged.
SELECT refresh_duplicate_lines(ARRAY(SELECT msisdn FROM cases GROUP BY msisdn HAVING count(*) > 1));
