-- The audit trail: sign-ins (successful or not), sign-outs, document views, case actions and
-- refused requests, with who, when, from where and on what. Append-only, like case history.
CREATE TABLE audit_events (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    actor_id   bigint REFERENCES agents (id),
    address    text,
    action     text NOT NULL,
    -- A case reference, a document, an agent or a bulk operation; never personal data.
    target     text,
    detail     jsonb NOT NULL DEFAULT '{}'
);
-- The supervisor's audit page: newest first, optionally by action, by actor or by target.
CREATE INDEX audit_events_at_idx ON audit_events (at DESC, id DESC);
CREATE INDEX audit_events_action_idx ON audit_events (action, at DESC, id DESC);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, at DESC, id DESC);
CREATE INDEX audit_events_target_idx ON audit_events (target, at DESC, id DESC);

CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change();
