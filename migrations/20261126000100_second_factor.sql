-- TOTP second factor (RFC 6238), its recovery codes, and the desk-wide settings that can require it.

-- One authenticator per agent. A row with enabled_at NULL is an enrolment in progress (the agent
-- has seen the QR code but not yet confirmed a code); starting over replaces its secret.
CREATE TABLE agent_totp (
    agent_id       bigint PRIMARY KEY REFERENCES agents (id) ON DELETE CASCADE,
    -- The shared secret, kept plain: checking a code needs the secret itself, so it cannot be
    -- hashed like a password. Whoever can read this table can compute codes; they still need the
    -- agent's password (argon2id, not reversible) to sign in. Encrypting it with a key outside the
    -- database is the next step if the database is ever less trusted than the app.
    secret         bytea NOT NULL CHECK (length(secret) >= 20),
    enabled_at     timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    -- The latest 30-second step whose code was accepted: a code of this step or an earlier one is
    -- refused, so a code seen over someone's shoulder cannot be used again within its window.
    last_used_step bigint
);

-- One-time recovery codes, stored as SHA-256 only. They are 16 random characters (about 79 bits),
-- far beyond brute force even with a fast hash, so a slow password hash would add only latency.
CREATE TABLE recovery_codes (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agent_id   bigint NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    code_hash  bytea NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
-- Using a code at the second sign-in step looks it up by agent and hash.
CREATE UNIQUE INDEX recovery_codes_agent_hash_key ON recovery_codes (agent_id, code_hash);

-- Settings of the whole desk changed by supervisors at run time (not configuration files): one row.
CREATE TABLE desk_settings (
    id                    boolean PRIMARY KEY DEFAULT true CHECK (id),
    -- Every agent must sign in with a second factor; those without one enrol at their next sign-in.
    require_second_factor boolean NOT NULL DEFAULT false,
    updated_at            timestamptz NOT NULL DEFAULT now(),
    updated_by            bigint REFERENCES agents (id)
);
INSERT INTO desk_settings DEFAULT VALUES;
