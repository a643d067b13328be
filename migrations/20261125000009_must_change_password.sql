-- Set when a supervisor creates an account or resets its password: the agent must choose a new
-- password before doing anything else.
ALTER TABLE agents ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;
