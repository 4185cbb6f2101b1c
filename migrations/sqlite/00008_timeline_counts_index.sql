-- The contact page counts a person's timeline items per kind. Without this
-- index the count reads every item row (10 ms for 10,000 items on SQLite);
-- with it the count is answered from the index alone: it holds every
-- column the count filters on, for live items only.

-- +goose Up
CREATE INDEX timeline_items_counts_idx ON timeline_items (contact_id, kind, restricted_department_id) WHERE deleted_at IS NULL;

-- +goose Down
SELECT 1;
