-- Postgres gets an index for the contact list's "active in department"
-- filter here. SQLite does not: it answers that filter by probing each
-- listed contact's own items (timeline_items_contact_idx), which is fast,
-- and with ANALYZE statistics it preferred the new index for every
-- timeline page too (a skip-scan over departments plus a sort: 9 ms
-- instead of 2 for a contact with 10,000 items, measured by rapport bench).
-- The version number is kept so both dialects stay in step.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
