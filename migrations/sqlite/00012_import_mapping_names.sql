-- Saved import mappings belong to the person who named them (issue #9):
-- two people may each keep a "Google" mapping, while one person cannot have
-- two whose names differ only in case. Everyone may still use any of them.
-- SQLite cannot drop the UNIQUE on name in place, so the table is rebuilt.
-- Its lower() folds ASCII only; names differing in other letters' case are
-- told apart here and not on Postgres.

-- +goose Up
CREATE TABLE import_mappings_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT   NOT NULL,
    mapping    TEXT   NOT NULL, -- JSON csvio.Mapping
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
INSERT INTO import_mappings_new (id, name, mapping, created_by, created_at, updated_at)
SELECT id, name, mapping, created_by, created_at, updated_at FROM import_mappings;
DROP TABLE import_mappings;
ALTER TABLE import_mappings_new RENAME TO import_mappings;
CREATE UNIQUE INDEX import_mappings_creator_name_idx ON import_mappings (created_by, lower(name));

-- +goose Down
-- Rapport migrates forward only; see docs/ARCHITECTURE.md.
SELECT 1;
