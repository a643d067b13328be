-- Saved queue views: an agent names a queue filter and finds it again; supervisors share views
-- with everyone; each agent may choose the view the queue opens with.
CREATE TABLE saved_views (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id   bigint NOT NULL REFERENCES agents (id),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    -- The queue's filters as a query string (normalised, no page position).
    query      text NOT NULL CHECK (length(query) <= 2000),
    shared     boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (owner_id, name)
);
-- The views an agent sees: their own (the unique key's index) and the shared ones.
CREATE INDEX saved_views_shared_idx ON saved_views (name) WHERE shared;

-- The view the queue opens with; deleting the view clears it.
ALTER TABLE agents ADD COLUMN default_view_id bigint REFERENCES saved_views (id) ON DELETE SET NULL;
