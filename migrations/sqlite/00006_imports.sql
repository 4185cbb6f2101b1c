-- Contact imports (issue #9): an uploaded CSV or vCard file, how its
-- columns map to contact fields, what happens to duplicates, and what the
-- import did, row by row, so that rejected rows can be downloaded and the
-- whole import undone. Times are text in UTC, written by Go.

-- +goose Up
CREATE TABLE imports (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id            BIGINT REFERENCES users (id) ON DELETE SET NULL,
    filename           TEXT        NOT NULL, -- as the person named it, for display
    file_path          TEXT        NOT NULL DEFAULT '', -- the stored upload, under DATA_DIR/imports/<id>
    size               BIGINT      NOT NULL DEFAULT 0,
    format             TEXT        NOT NULL CHECK (format IN ('csv', 'vcard')),
    header             TEXT        NOT NULL DEFAULT '[]', -- JSON array: the file's columns, for the rejected-rows CSV
    mapping            TEXT        NOT NULL DEFAULT '{}', -- JSON csvio.Mapping
    on_duplicate       TEXT        NOT NULL DEFAULT 'skip' CHECK (on_duplicate IN ('skip', 'fill', 'overwrite')),
    match_name_company BOOLEAN     NOT NULL DEFAULT FALSE,
    dry_run            BOOLEAN     NOT NULL DEFAULT FALSE,
    status             TEXT        NOT NULL CHECK (status IN ('draft', 'queued', 'running', 'done', 'failed', 'cancelled')),
    rows_read          BIGINT      NOT NULL DEFAULT 0,
    rows_created       BIGINT      NOT NULL DEFAULT 0,
    rows_updated       BIGINT      NOT NULL DEFAULT 0,
    rows_skipped       BIGINT      NOT NULL DEFAULT 0,
    rows_failed        BIGINT      NOT NULL DEFAULT 0,
    job_id             BIGINT REFERENCES jobs (id) ON DELETE SET NULL,
    error              TEXT        NOT NULL DEFAULT '',
    created_at         DATETIME NOT NULL,
    started_at         DATETIME,
    finished_at        DATETIME,
    undo_until         DATETIME,
    undone_at          DATETIME
);
CREATE INDEX imports_list_idx ON imports (created_at DESC, id DESC);
CREATE INDEX imports_user_idx ON imports (user_id, created_at DESC, id DESC);

-- A row the import could not use (rejected) or used without some value
-- (a warning), with the row's cells as read, for the rejected-rows CSV.
CREATE TABLE import_failures (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    import_id  BIGINT  NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    line       INTEGER NOT NULL,
    reason     TEXT    NOT NULL,
    rejected   BOOLEAN NOT NULL DEFAULT TRUE,
    raw_fields TEXT    NOT NULL DEFAULT '[]' -- JSON array of the row's cells
);
CREATE INDEX import_failures_import_idx ON import_failures (import_id, line, id);

-- What an import did to each contact, so that it can be undone: contacts it
-- created are deleted again, contacts it updated get "before" applied (a
-- JSON models.ContactPatch restoring the fields it changed).
CREATE TABLE import_changes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    import_id  BIGINT NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    contact_id BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    action     TEXT   NOT NULL CHECK (action IN ('created', 'updated')),
    before     TEXT   NOT NULL DEFAULT '{}'
);
CREATE INDEX import_changes_import_idx ON import_changes (import_id, id);

-- Mappings saved by name to use again on the next file from the same place.
CREATE TABLE import_mappings (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT   NOT NULL UNIQUE,
    mapping    TEXT   NOT NULL, -- JSON csvio.Mapping
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);

-- +goose Down
-- Rapport migrates forward only; see docs/ARCHITECTURE.md.
SELECT 1;
