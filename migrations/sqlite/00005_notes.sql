-- Notes shared across departments (issue #6): notes on contacts and
-- companies with every revision, @mentions and the notifications they send,
-- and each contact's pinned key facts with their history. Times are text in
-- UTC, written by Go, so they compare in order.

-- +goose Up
-- A note about a contact, or about a company (then shown on each of its
-- people's timelines). Exactly one of contact_id and company_id is set.
-- Replies are notes too, with parent_id set; they take their parent's
-- subject and restriction.
CREATE TABLE notes (
    id                       INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id               BIGINT REFERENCES contacts (id) ON DELETE CASCADE,
    company_id               BIGINT REFERENCES companies (id) ON DELETE CASCADE,
    parent_id                BIGINT REFERENCES notes (id) ON DELETE CASCADE,
    body                     TEXT        NOT NULL, -- Markdown, rendered and sanitised on display
    search_text              TEXT        NOT NULL DEFAULT '', -- searchKey(body), see search.go
    author_id                BIGINT REFERENCES users (id) ON DELETE SET NULL,
    -- The department the author wrote it for, shown beside their name.
    author_department_id     BIGINT REFERENCES departments (id) ON DELETE SET NULL,
    -- NULL: visible to everyone who sees the contact. Set: only to members
    -- of that department, admins included.
    restricted_department_id BIGINT REFERENCES departments (id) ON DELETE RESTRICT,
    -- A note that asks for a reply stays open until someone other than its
    -- author replies in its thread.
    needs_reply              BOOLEAN     NOT NULL DEFAULT FALSE,
    replied_at               DATETIME,
    replied_by               BIGINT REFERENCES users (id) ON DELETE SET NULL,
    version                  BIGINT      NOT NULL DEFAULT 1,
    created_at               DATETIME NOT NULL,
    updated_at               DATETIME NOT NULL,
    deleted_at               DATETIME,
    CHECK ((contact_id IS NULL) <> (company_id IS NULL))
);
-- A contact's notes newest first; also serves merges moving a contact's
-- notes (contact_id = ? implies the partial condition) and the purge cascade.
CREATE INDEX notes_contact_idx ON notes (contact_id, created_at DESC, id DESC) WHERE contact_id IS NOT NULL;
CREATE INDEX notes_company_idx ON notes (company_id, created_at DESC, id DESC) WHERE company_id IS NOT NULL;
CREATE INDEX notes_parent_idx ON notes (parent_id, created_at, id) WHERE parent_id IS NOT NULL;
-- Notes waiting for a reply, newest first.
CREATE INDEX notes_open_idx ON notes (created_at DESC, id DESC) WHERE needs_reply AND replied_at IS NULL AND deleted_at IS NULL;
CREATE INDEX notes_department_idx ON notes (restricted_department_id) WHERE restricted_department_id IS NOT NULL;
-- Substring search over the folded body: an external-content FTS5 trigram
-- table kept in step by triggers, as contacts_fts is (see 00002). Deleted
-- notes stay indexed; queries check deleted_at.
CREATE VIRTUAL TABLE notes_fts USING fts5 (
    search_text,
    content = 'notes',
    content_rowid = 'id',
    tokenize = 'trigram'
);

-- +goose StatementBegin
CREATE TRIGGER notes_fts_insert AFTER INSERT ON notes BEGIN
    INSERT INTO notes_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER notes_fts_delete AFTER DELETE ON notes BEGIN
    INSERT INTO notes_fts (notes_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER notes_fts_update AFTER UPDATE OF search_text ON notes
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO notes_fts (notes_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO notes_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
-- +goose StatementEnd

-- Every save of a note, the first included: who, for which department,
-- when, and the whole body, so any two can be compared and any restored.
CREATE TABLE note_revisions (
    id                       INTEGER PRIMARY KEY AUTOINCREMENT,
    note_id                  BIGINT      NOT NULL REFERENCES notes (id) ON DELETE CASCADE,
    version                  BIGINT      NOT NULL,
    body                     TEXT        NOT NULL,
    restricted_department_id BIGINT REFERENCES departments (id) ON DELETE RESTRICT,
    author_id                BIGINT REFERENCES users (id) ON DELETE SET NULL,
    department_id            BIGINT REFERENCES departments (id) ON DELETE SET NULL,
    created_at               DATETIME NOT NULL
);
CREATE UNIQUE INDEX note_revisions_note_idx ON note_revisions (note_id, version);

-- Who a note mentions: a user (@ann.lee) or a department (@billing).
CREATE TABLE note_mentions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    note_id       BIGINT NOT NULL REFERENCES notes (id) ON DELETE CASCADE,
    user_id       BIGINT REFERENCES users (id) ON DELETE CASCADE,
    department_id BIGINT REFERENCES departments (id) ON DELETE CASCADE,
    CHECK ((user_id IS NULL) <> (department_id IS NULL))
);
CREATE UNIQUE INDEX note_mentions_user_idx ON note_mentions (note_id, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX note_mentions_department_idx ON note_mentions (note_id, department_id) WHERE department_id IS NOT NULL;
CREATE INDEX note_mentions_by_user_idx ON note_mentions (user_id) WHERE user_id IS NOT NULL;

-- What a person should look at: they were mentioned, or someone replied.
-- One per (person, kind, note), so an edit never notifies twice.
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT        NOT NULL, -- mention, reply
    note_id    BIGINT      NOT NULL REFERENCES notes (id) ON DELETE CASCADE,
    contact_id BIGINT REFERENCES contacts (id) ON DELETE CASCADE,
    company_id BIGINT REFERENCES companies (id) ON DELETE CASCADE,
    actor_id   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at DATETIME NOT NULL,
    read_at    DATETIME
);
CREATE UNIQUE INDEX notifications_note_idx ON notifications (user_id, kind, note_id);
CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;
CREATE INDEX notifications_by_note_idx ON notifications (note_id);

-- The pinned key facts of a contact: one short text everyone who may write
-- edits, versioned like a note.
CREATE TABLE contact_key_facts (
    contact_id    BIGINT      PRIMARY KEY REFERENCES contacts (id) ON DELETE CASCADE,
    body          TEXT        NOT NULL,
    version       BIGINT      NOT NULL DEFAULT 1,
    updated_by    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    department_id BIGINT REFERENCES departments (id) ON DELETE SET NULL,
    updated_at    DATETIME NOT NULL
);
CREATE TABLE key_facts_revisions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id    BIGINT      NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    version       BIGINT      NOT NULL,
    body          TEXT        NOT NULL,
    author_id     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    department_id BIGINT REFERENCES departments (id) ON DELETE SET NULL,
    created_at    DATETIME NOT NULL
);
CREATE UNIQUE INDEX key_facts_revisions_contact_idx ON key_facts_revisions (contact_id, version);

-- +goose Down
-- Rapport migrates forward only; see docs/ARCHITECTURE.md.
SELECT 1;
