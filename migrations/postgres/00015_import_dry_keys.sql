-- The keys (emails, phones, name at company) of the rows a dry run would
-- have made new contacts of, as 64-bit hashes, so that a later row of the
-- same file repeating one is reported as merged into it (issue #9). They
-- were a map in the worker's memory: about 75 MB at 1,000,000 rows and
-- growing with the file, against the issue's 250 MB for the whole server
-- at 5,000,000 rows, and lost when the worker restarted mid-run, so a
-- resumed dry run counted repeats of earlier rows as new contacts. Each
-- batch writes its keys in its own transaction, with its checkpoint; the
-- rows go when the dry run finishes or is cancelled.

-- +goose Up
CREATE TABLE import_dry_keys (
    import_id BIGINT NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    key_hash  BIGINT NOT NULL,
    PRIMARY KEY (import_id, key_hash)
);

-- +goose Down
-- Rapport migrates forward only; see docs/ARCHITECTURE.md.
SELECT 1;
