-- Indexes found missing by the performance benchmark (scripts/perf_bench.py) and kept in place by
-- the plan test (tests/api/plans.rs).

-- The queue over every state ("All states"), and its deep keyset pages.
CREATE INDEX cases_due_idx ON cases (sla_due_at, id);
-- The queue filtered by assignee and one state (e.g. "my cases in review").
CREATE INDEX cases_assignee_state_due_idx ON cases (assignee_id, state, sla_due_at, id);
-- "My cases" (or unassigned ones) among those that need action, the default state filter.
CREATE INDEX cases_assignee_needs_action_idx ON cases (assignee_id, sla_due_at, id)
    WHERE state IN ('submitted', 'in_review');
