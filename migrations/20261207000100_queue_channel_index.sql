-- The queue filtered by assignee, one state and a channel ("my cases in review from the
-- hotline": desks that split their work by channel). With only (assignee_id, state, sla_due_at,
-- id) PostgreSQL read every case of the agent in that state in queue order and dropped those of
-- other channels after fetching them: four rows read per row shown at the demo's mix, the queue's
-- slowest page in scripts/perf_bench.py (0.38x the baseline at 5,000,000 cases; 0.55x with this
-- index, like the unfiltered first page). Kept on an index by tests/api/plans.rs.
CREATE INDEX cases_assignee_state_channel_due_idx ON cases (assignee_id, state, channel, sla_due_at, id);
