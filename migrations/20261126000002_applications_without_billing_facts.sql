-- Applications from customers and other channels arrive without the line's billing facts: the
-- activation date is unknown until someone looks the line up, so it may be empty.
ALTER TABLE cases ALTER COLUMN activation_date DROP NOT NULL;
