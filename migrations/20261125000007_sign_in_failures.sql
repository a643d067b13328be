-- Failed sign-ins, for throttling per account and per address (domain::throttle). Accounts are
-- kept as the SHA-256 of the normalised e-mail typed: what someone typed is not stored.
CREATE TABLE sign_in_failures (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account bytea NOT NULL,
    address text NOT NULL,
    at      timestamptz NOT NULL DEFAULT now()
);
-- The throttle's two look-ups: recent failures of an account, and of an address.
CREATE INDEX sign_in_failures_account_idx ON sign_in_failures (account, at);
CREATE INDEX sign_in_failures_address_idx ON sign_in_failures (address, at);
