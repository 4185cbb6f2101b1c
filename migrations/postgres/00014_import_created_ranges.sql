-- What an import created, as runs of contact ids instead of one
-- import_changes row per contact (issue #9): a million-row import wrote a
-- million of those, read back only to undo it, and they were an eighth of
-- the import's server time. Each batch records the ids it created as
-- ranges, almost always one; every contact from first_id to last_id was
-- created by the import. Contact ids are never reused (BIGSERIAL), so a
-- range stays true after contacts in it are deleted.
--
-- import_changes keeps one row per contact an import updated (its
-- "before" is what undo restores), and the 'created' rows of imports made
-- before this migration, which undo still reads.

-- +goose Up
CREATE TABLE import_created_ranges (
    import_id BIGINT NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    first_id  BIGINT NOT NULL,
    last_id   BIGINT NOT NULL CHECK (last_id >= first_id),
    PRIMARY KEY (import_id, first_id)
);

-- +goose Down
-- Rapport migrates forward only; see docs/ARCHITECTURE.md.
SELECT 1;
