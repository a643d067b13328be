-- An operation being applied records that it is alive after every batch. One whose runner died
-- (process stopped mid-way) can then be resumed by confirming again, instead of staying stuck.
ALTER TABLE bulk_operations ADD COLUMN heartbeat_at timestamptz;
