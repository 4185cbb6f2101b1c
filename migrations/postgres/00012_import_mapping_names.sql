-- Saved import mappings belong to the person who named them (issue #9):
-- two people may each keep a "Google" mapping, while one person cannot have
-- two whose names differ only in case. Everyone may still use any of them.

-- +goose Up
ALTER TABLE import_mappings DROP CONSTRAINT import_mappings_name_key;
CREATE UNIQUE INDEX import_mappings_creator_name_idx ON import_mappings (created_by, lower(name));

-- +goose Down
-- Rapport migrates forward only; see docs/ARCHITECTURE.md.
SELECT 1;
