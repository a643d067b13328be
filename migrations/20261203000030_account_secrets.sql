-- Issue 11, parts 5 and 6: TOTP secrets encrypted at rest, one-time passwords that expire, and
-- e-mail to agents about changes to their own account through the existing notices outbox.

-- TOTP secrets are encrypted (XChaCha20-Poly1305, with a key kept outside the database; see
-- src/auth/keyring.rs): `secret` now holds nonce ‖ ciphertext ‖ tag, and key_id names the key that
-- sealed it, so keys can be rotated (the first configured key encrypts, all listed keys decrypt).
-- NULL marks a secret still in plain text from before this migration: SQL cannot encrypt it (the
-- key is not in the database), so the app encrypts those rows when it starts or migrates.
ALTER TABLE agent_totp ADD COLUMN key_id text;

-- When the password was last set (by the agent or a supervisor). A one-time password
-- (must_change_password) stops working `temporary_password_hours` after this. Existing rows get
-- the migration's time: a one-time password handed out before it gets the full period.
ALTER TABLE agents ADD COLUMN password_set_at timestamptz NOT NULL DEFAULT now();

-- Notices to agents about their own account (second factor added, e-mail changed) go through the
-- same outbox and worker as customers' notices, written in the transaction of the change. Such a
-- notice belongs to an agent instead of a case: exactly one of the two is set.
ALTER TABLE notices ALTER COLUMN case_id DROP NOT NULL;
ALTER TABLE notices ADD COLUMN agent_id bigint REFERENCES agents (id);
ALTER TABLE notices ADD CONSTRAINT notices_case_or_agent_check
    CHECK ((case_id IS NULL) <> (agent_id IS NULL));
-- The kinds of before, plus account_security (agents' notices only).
ALTER TABLE notices DROP CONSTRAINT notices_kind_check;
ALTER TABLE notices ADD CONSTRAINT notices_kind_check
    CHECK (kind IN ('received', 'documents_requested', 'approved', 'rejected', 'reminder',
                    'expired', 'account_security'));
