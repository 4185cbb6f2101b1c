-- The contact list's "active in department" filter asks, for each listed
-- contact, whether it has a live item done for that department. Without
-- this index Postgres answered it by walking a whole index of the table;
-- with it the question is one probe per contact (or, when the planner
-- prefers, a semi-join that reads only that department's items).

-- +goose Up
CREATE INDEX timeline_items_department_activity_idx ON timeline_items (actor_department_id, contact_id) WHERE deleted_at IS NULL;

-- +goose Down
SELECT 1;
