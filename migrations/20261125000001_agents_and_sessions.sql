-- Desk staff and their server-side sessions.

CREATE TABLE agents (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         text NOT NULL,
    name          text NOT NULL,
    role          text NOT NULL CHECK (role IN ('agent', 'supervisor')),
    -- PHC string of an argon2id hash; never the password.
    password_hash text NOT NULL,
    active        boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now()
);
-- Sign-in looks agents up by e-mail, whatever its case.
CREATE UNIQUE INDEX agents_email_key ON agents (lower(email));

-- actix-session state. The cookie carries a random key; we keep only its SHA-256, so a copy of
-- this table does not let anyone sign in as the agents in it.
CREATE TABLE sessions (
    key_hash   bytea PRIMARY KEY,
    -- Copied out of the state so that all sessions of an agent can be ended at once.
    agent_id   bigint REFERENCES agents (id) ON DELETE CASCADE,
    state      jsonb NOT NULL,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_agent_idx ON sessions (agent_id) WHERE agent_id IS NOT NULL;
-- The periodic purge of expired sessions.
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

-- Secrets the app generates for itself on first start (the cookie signing key), so that a fresh
-- install needs no configuration and restarts keep agents signed in.
CREATE TABLE app_secrets (
    name  text PRIMARY KEY,
    value bytea NOT NULL
);
