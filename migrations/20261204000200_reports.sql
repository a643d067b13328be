-- Supervisor reports (/reports): per-day aggregates of the case history, so that a report over
-- any period reads a few thousand rows instead of scanning millions of cases.
--
-- Exact by construction: every change of a case appends its event in the same transaction, and a
-- statement trigger on `case_events` adds that statement's facts to the aggregates. The trigger
-- only INSERTs delta rows (no upsert), so concurrent decisions never wait on a shared counter row
-- and can never deadlock on one; readers sum the rows of a key, and the clock's compaction job
-- folds a key's rows into one (delete and re-insert their sum in one statement: sums unchanged).

-- How long a case's service-level clock has been paused (awaiting documents), so a decision's
-- handling time can leave the pauses out as the service level does.
ALTER TABLE cases ADD COLUMN sla_paused_seconds integer NOT NULL DEFAULT 0;

-- Pauses already over: each one runs from a documents request to the event that left
-- `awaiting_documents` (an answer, an expiry, a withdrawal, a decision).
UPDATE cases c SET sla_paused_seconds = p.seconds
FROM (SELECT case_id, sum(extract(epoch FROM at - started))::integer AS seconds
      FROM (SELECT case_id, at, from_state, to_state,
                   max(at) FILTER (WHERE kind = 'documents_requested')
                       OVER (PARTITION BY case_id ORDER BY id) AS started
            FROM case_events
            WHERE case_id IN (SELECT case_id FROM case_events WHERE kind = 'documents_requested')) e
      WHERE from_state = 'awaiting_documents' AND to_state IS DISTINCT FROM 'awaiting_documents'
        AND started IS NOT NULL
      GROUP BY case_id) p
WHERE c.id = p.case_id;

-- The zone whose calendar days the aggregates count in. The application keeps it equal to its
-- `time_zone` setting, rebuilding the aggregates when that changes (report_rebuild below).
ALTER TABLE desk_settings ADD COLUMN report_time_zone text NOT NULL DEFAULT 'Asia/Jakarta';

-- Handling time buckets (lower bounds, in minutes), coarse enough that a day holds few rows and
-- as fine as the desk reads durations: 5 minutes within the first hour, half hours within a day,
-- 4 hours within a week, days within 60 days, then "60 days or more".
CREATE FUNCTION report_minutes(seconds double precision) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN m < 60 THEN m / 5 * 5
        WHEN m < 1440 THEN m / 30 * 30
        WHEN m < 10080 THEN m / 240 * 240
        WHEN m < 86400 THEN m / 1440 * 1440
        ELSE 86400 END
    FROM (SELECT greatest(floor(seconds / 60), 0)::integer AS m) AS minutes
$$;

-- What each event adds to the reports ("measure" rows), one definition for the trigger and the
-- rebuild. received: channel and cancellation reason of a new case. claimed: by which agent.
-- decided: the outcome (approved, rejected, expired, withdrawn, cancelled) and the deciding agent
-- (0 when the customer or the system ended it); desk decisions (approved, rejected) also say
-- whether they came within the service level and their handling time. rejected_for: the reject
-- reason. documents_requested / documents_answered: a request sent, a request answered.
CREATE VIEW report_event_facts AS
SELECT e.id AS event_id,
       (e.at AT TIME ZONE s.report_time_zone)::date AS day,
       f.measure, f.outcome, f.channel, f.reason, f.agent_id, f.within_sla, f.minutes
FROM case_events e
JOIN cases c ON c.id = e.case_id
CROSS JOIN desk_settings s
CROSS JOIN LATERAL (VALUES
    ('received', '', c.channel, c.reason, 0::bigint, false, NULL::integer,
        e.kind = 'submitted'),
    ('claimed', '', '', '', e.actor_id, false, NULL,
        e.kind = 'claimed' AND e.actor_id IS NOT NULL),
    ('decided', e.kind, '', '', CASE WHEN e.actor_kind = 'agent' THEN e.actor_id ELSE 0 END,
        e.kind IN ('approved', 'rejected') AND e.at <= c.sla_due_at,
        CASE WHEN e.kind IN ('approved', 'rejected') THEN report_minutes(
            extract(epoch FROM e.at - c.submitted_at)::double precision - c.sla_paused_seconds) END,
        e.kind IN ('approved', 'rejected', 'expired', 'withdrawn', 'cancelled')),
    ('rejected_for', 'rejected', '', coalesce(e.reason_code, ''), 0, false, NULL,
        e.kind = 'rejected'),
    ('documents_requested', '', '', '', 0, false, NULL,
        e.kind = 'documents_requested'),
    ('documents_answered', '', '', '', 0, false, NULL,
        e.kind = 'documents_received')
) AS f(measure, outcome, channel, reason, agent_id, within_sla, minutes, applies)
WHERE f.applies;

-- Counts per day and measure. Not unique: a key may have several delta rows until compacted.
CREATE TABLE report_daily (
    day        date NOT NULL,
    measure    text NOT NULL,
    outcome    text NOT NULL,
    channel    text NOT NULL,
    -- The cancellation reason (received) or the reject reason (rejected_for).
    reason     text NOT NULL,
    -- 0: no agent.
    agent_id   bigint NOT NULL,
    cases      bigint NOT NULL,
    within_sla bigint NOT NULL
);
-- Every report reads a period of days.
CREATE INDEX report_daily_day_idx ON report_daily (day, measure);

-- Desk decisions per day, deciding agent and handling-time bucket: medians and 90th percentiles.
CREATE TABLE report_handling (
    day      date NOT NULL,
    agent_id bigint NOT NULL,
    minutes  integer NOT NULL,
    cases    bigint NOT NULL
);
CREATE INDEX report_handling_day_idx ON report_handling (day);

-- The same per ISO week (`week` is its Monday): a report over a year reads 52 weeks, not 365
-- days (the days of partial weeks at its ends come from the daily tables).
CREATE TABLE report_weekly (
    week       date NOT NULL,
    measure    text NOT NULL,
    outcome    text NOT NULL,
    channel    text NOT NULL,
    reason     text NOT NULL,
    agent_id   bigint NOT NULL,
    cases      bigint NOT NULL,
    within_sla bigint NOT NULL
);
CREATE INDEX report_weekly_week_idx ON report_weekly (week, measure);

CREATE TABLE report_handling_weekly (
    week     date NOT NULL,
    agent_id bigint NOT NULL,
    minutes  integer NOT NULL,
    cases    bigint NOT NULL
);
CREATE INDEX report_handling_weekly_week_idx ON report_handling_weekly (week);

-- The statement adding to the aggregates the facts of the events that `filter` keeps.
CREATE FUNCTION report_facts_sql(filter text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT format($q$
        WITH facts AS MATERIALIZED (
            SELECT f.*, f.day - (extract(isodow FROM f.day)::integer - 1) AS week
            FROM report_event_facts f %s
        ), daily AS (
            INSERT INTO report_daily (day, measure, outcome, channel, reason, agent_id, cases,
                                      within_sla)
            SELECT day, measure, outcome, channel, reason, agent_id, count(*),
                   count(*) FILTER (WHERE within_sla)
            FROM facts GROUP BY day, measure, outcome, channel, reason, agent_id
        ), weekly AS (
            INSERT INTO report_weekly (week, measure, outcome, channel, reason, agent_id, cases,
                                       within_sla)
            SELECT week, measure, outcome, channel, reason, agent_id, count(*),
                   count(*) FILTER (WHERE within_sla)
            FROM facts GROUP BY week, measure, outcome, channel, reason, agent_id
        ), handling_weekly AS (
            INSERT INTO report_handling_weekly (week, agent_id, minutes, cases)
            SELECT week, agent_id, minutes, count(*) FROM facts WHERE minutes IS NOT NULL
            GROUP BY week, agent_id, minutes
        )
        INSERT INTO report_handling (day, agent_id, minutes, cases)
        SELECT day, agent_id, minutes, count(*) FROM facts WHERE minutes IS NOT NULL
        GROUP BY day, agent_id, minutes
    $q$, filter)
$$;

CREATE FUNCTION report_events_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    lo bigint;
    hi bigint;
BEGIN
    SELECT min(id), max(id) INTO lo, hi FROM new_rows;
    IF lo IS NOT NULL THEN
        -- Literal bounds so each statement is planned for its own range: one event reads by
        -- primary key, a million-event load joins. (Ids of one statement need not be
        -- contiguous: concurrent inserts interleave, hence the membership test as well.)
        EXECUTE report_facts_sql(format(
            'WHERE f.event_id BETWEEN %s AND %s AND f.event_id IN (SELECT id FROM new_rows)',
            lo, hi));
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER case_events_report AFTER INSERT ON case_events
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION report_events_apply();

-- Recomputes every aggregate from the history in zone `zone` (after a change of time zone).
-- Locks out new events meanwhile, so nothing is counted twice or missed.
CREATE FUNCTION report_rebuild(zone text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE case_events IN SHARE MODE;
    UPDATE desk_settings SET report_time_zone = zone;
    TRUNCATE report_daily, report_handling, report_weekly, report_handling_weekly;
    EXECUTE report_facts_sql('');
END $$;

SELECT report_rebuild(report_time_zone) FROM desk_settings;

-- The backlog now: open cases counted by time of receipt, and cases whose clock runs counted by
-- due time (state and assignee kept), per hour and per minute, by a statement trigger on `cases`
-- (delta rows again, folded by the same compaction). An age bucket's edge (now − N days) is
-- counted as: whole hours after it, whole minutes of its hour after it, and live only the cases
-- of its last minute (index below) — so the backlog costs the same at a hundred open cases as at
-- three million.
CREATE TABLE report_open (
    -- 'received_hour' / 'received_minute': open cases by receipt; 'due_hour' / 'due_minute':
    -- cases submitted or in review, by due time.
    kind        text NOT NULL,
    -- The start of the hour or minute (`date_bin`: the session's time zone plays no part).
    at          timestamptz NOT NULL,
    state       text NOT NULL,
    -- 0: nobody.
    assignee_id bigint NOT NULL,
    cases       bigint NOT NULL
);
CREATE INDEX report_open_idx ON report_open (kind, at);

CREATE FUNCTION report_bin(at timestamptz, width interval) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT date_bin(width, at, timestamptz '2000-01-01 00:00:00+00')
$$;

-- The statement adding to `report_open` what the rows of `moves` (submitted_at, sla_due_at,
-- state, assignee_id, n = +1 or -1) change.
CREATE FUNCTION report_open_sql(moves text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT format($q$
        INSERT INTO report_open (kind, at, state, assignee_id, cases)
        SELECT b.kind, b.at, r.state, coalesce(r.assignee_id, 0), sum(r.n)
        FROM (%s) r
        CROSS JOIN LATERAL (VALUES
            ('received_hour', report_bin(r.submitted_at, interval '1 hour'),
                r.state IN ('submitted', 'in_review', 'awaiting_documents')),
            ('received_minute', report_bin(r.submitted_at, interval '1 minute'),
                r.state IN ('submitted', 'in_review', 'awaiting_documents')),
            ('due_hour', report_bin(r.sla_due_at, interval '1 hour'),
                r.state IN ('submitted', 'in_review')),
            ('due_minute', report_bin(r.sla_due_at, interval '1 minute'),
                r.state IN ('submitted', 'in_review'))
        ) AS b(kind, at, applies)
        WHERE b.applies
        GROUP BY 1, 2, 3, 4 HAVING sum(r.n) <> 0
    $q$, moves)
$$;

CREATE FUNCTION report_open_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A transition table exists only for the operations that have it (no old rows on INSERT,
    -- no new rows on DELETE); an update that moves nothing adds nothing.
    EXECUTE report_open_sql(CASE TG_OP
        WHEN 'INSERT' THEN
            'SELECT submitted_at, sla_due_at, state, assignee_id, 1 AS n FROM new_rows'
        WHEN 'DELETE' THEN
            'SELECT submitted_at, sla_due_at, state, assignee_id, -1 AS n FROM old_rows'
        ELSE
            'SELECT submitted_at, sla_due_at, state, assignee_id, 1 AS n FROM new_rows
             UNION ALL
             SELECT submitted_at, sla_due_at, state, assignee_id, -1 FROM old_rows' END);
    RETURN NULL;
END $$;

CREATE TRIGGER cases_report_open_insert AFTER INSERT ON cases
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION report_open_apply();
CREATE TRIGGER cases_report_open_update AFTER UPDATE ON cases
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION report_open_apply();
CREATE TRIGGER cases_report_open_delete AFTER DELETE ON cases
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION report_open_apply();

-- Recounts the backlog's aggregates from the cases (a load with triggers off).
CREATE FUNCTION report_open_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE cases IN SHARE MODE;
    TRUNCATE report_open;
    EXECUTE report_open_sql(
        'SELECT submitted_at, sla_due_at, state, assignee_id, 1 AS n FROM cases
         WHERE state IN (''submitted'', ''in_review'', ''awaiting_documents'')');
END $$;

SELECT report_open_rebuild();

-- The live edge-minute counts: open cases by receipt time, and (cases_needs_action_name_idx)
-- cases whose clock runs by due time.
CREATE INDEX cases_open_age_idx ON cases (submitted_at) INCLUDE (assignee_id)
    WHERE state IN ('submitted', 'in_review', 'awaiting_documents');

-- The queue filtered by what happened in a period (the reports' links: `event`, `event_from`,
-- `event_to`, `event_by`): the cases with such an event, found from the history's side.
CREATE INDEX case_events_kind_at_idx ON case_events (kind, at) INCLUDE (case_id, actor_id);
