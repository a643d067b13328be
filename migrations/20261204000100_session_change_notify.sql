-- Instances cache sessions in memory for a few seconds (see store::session_cache). Every change
-- that could end or alter a session is announced on the channel `canceldesk_sessions`, so every
-- instance drops its copy at once: a session row updated or deleted (sign-out, sign out
-- everywhere, password change, a flash written), or its agent changed (deactivated, role,
-- password). NOTIFY is delivered at commit, and only then.
CREATE FUNCTION canceldesk_notify_session_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'sessions' THEN
        PERFORM pg_notify('canceldesk_sessions', 'key:' || encode(OLD.key_hash, 'hex'));
    ELSE
        PERFORM pg_notify('canceldesk_sessions', 'agent:' || OLD.id);
    END IF;
    RETURN NULL;
END $$;

-- Expired rows removed by the purge need no announcement: a cached copy expires by itself.
CREATE TRIGGER sessions_announce_delete AFTER DELETE ON sessions
    FOR EACH ROW WHEN (OLD.expires_at > now())
    EXECUTE FUNCTION canceldesk_notify_session_change();
CREATE TRIGGER sessions_announce_update AFTER UPDATE ON sessions
    FOR EACH ROW EXECUTE FUNCTION canceldesk_notify_session_change();
CREATE TRIGGER agents_announce_update AFTER UPDATE ON agents
    FOR EACH ROW EXECUTE FUNCTION canceldesk_notify_session_change();
