-- Contacts and companies: the people Rapport is about, their emails, phones,
-- addresses, tags and social profiles, the companies they work for, and the
-- admin-defined custom fields. Times are stored as text in UTC, written by
-- Go, so they compare in order.
--
-- Columns ending in _key hold Go's search form of a value (trimmed,
-- case-folded, accents removed). SQLite's default BINARY collation compares
-- them byte by byte, as the Postgres schema's COLLATE "C" does, so
-- keyset cursors and prefix ranges mean the same on both databases.

-- +goose Up
CREATE TABLE companies (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT        NOT NULL,
    name_key   TEXT        NOT NULL,
    domain     TEXT, -- lower-cased host name; NULL when unknown
    industry   TEXT        NOT NULL DEFAULT '',
    size       TEXT        NOT NULL DEFAULT '',
    address    TEXT        NOT NULL DEFAULT '',
    tags       TEXT        NOT NULL DEFAULT '[]', -- JSON array of strings
    version    BIGINT      NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    deleted_at DATETIME
);
-- A domain names one live company; a deleted company frees its domain.
CREATE UNIQUE INDEX companies_domain_idx ON companies (domain) WHERE domain IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX companies_name_idx ON companies (name_key, id) WHERE deleted_at IS NULL;
CREATE INDEX companies_updated_idx ON companies (updated_at DESC, id DESC) WHERE deleted_at IS NULL;

CREATE TABLE contacts (
    id                       INTEGER PRIMARY KEY AUTOINCREMENT,
    given_name               TEXT        NOT NULL DEFAULT '',
    family_name              TEXT        NOT NULL DEFAULT '',
    display_name             TEXT        NOT NULL DEFAULT '',
    job_title                TEXT        NOT NULL DEFAULT '',
    company_id               BIGINT REFERENCES companies (id) ON DELETE SET NULL,
    birthday                 TEXT        NOT NULL DEFAULT '', -- YYYY-MM-DD or empty
    about                    TEXT        NOT NULL DEFAULT '',
    owner_id                 BIGINT REFERENCES users (id) ON DELETE SET NULL,
    source                   TEXT        NOT NULL DEFAULT 'manual' CHECK (source IN ('manual', 'import', 'api', 'feed')),
    -- NULL: everyone sees the contact. Set: only members of the department
    -- do. Deleting such a department is refused rather than silently making
    -- its contacts public.
    restricted_department_id BIGINT REFERENCES departments (id) ON DELETE RESTRICT,
    custom_fields            TEXT        NOT NULL DEFAULT '{}', -- JSON object, key -> value as text
    last_contacted_at        DATETIME,
    version                  BIGINT      NOT NULL DEFAULT 1,
    created_at               DATETIME NOT NULL,
    updated_at               DATETIME NOT NULL,
    deleted_at               DATETIME,
    merged_into_id           BIGINT REFERENCES contacts (id) ON DELETE SET NULL,
    -- name_key sorts the list by name (family name first) and answers
    -- searches too short for trigrams; search_text is everything a search
    -- matches, both maintained by Go on every write.
    name_key                 TEXT        NOT NULL DEFAULT '',
    search_text              TEXT        NOT NULL DEFAULT ''
);
CREATE INDEX contacts_name_idx ON contacts (name_key, id) WHERE deleted_at IS NULL;
CREATE INDEX contacts_updated_idx ON contacts (updated_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX contacts_created_idx ON contacts (created_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX contacts_last_contacted_idx ON contacts (last_contacted_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX contacts_owner_idx ON contacts (owner_id, name_key, id) WHERE deleted_at IS NULL;
CREATE INDEX contacts_company_idx ON contacts (company_id, name_key, id);
CREATE INDEX contacts_department_idx ON contacts (restricted_department_id) WHERE restricted_department_id IS NOT NULL;
CREATE INDEX contacts_merged_into_idx ON contacts (merged_into_id) WHERE merged_into_id IS NOT NULL;

-- Substring search over contacts.search_text. An external-content FTS5
-- table indexes the text without storing a second copy of it (search_text
-- on contacts stays the one source, as on Postgres), and triggers rather
-- than Go keep it in step: every write path, including future bulk SQL such
-- as merges, updates the index in the same transaction as the row, and a
-- rolled-back save rolls the index back with it. The trigram tokenizer
-- matches any substring of three or more characters, like pg_trgm.
-- Soft-deleted contacts stay indexed; queries join on deleted_at IS NULL.
CREATE VIRTUAL TABLE contacts_fts USING fts5 (
    search_text,
    content = 'contacts',
    content_rowid = 'id',
    tokenize = 'trigram'
);

-- +goose StatementBegin
CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contacts_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
    INSERT INTO contacts_fts (contacts_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER contacts_fts_update AFTER UPDATE OF search_text ON contacts
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO contacts_fts (contacts_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO contacts_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
-- +goose StatementEnd

CREATE TABLE contact_emails (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id  BIGINT  NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    address     TEXT    NOT NULL,
    address_key TEXT    NOT NULL, -- trimmed, lower-cased
    label       TEXT    NOT NULL DEFAULT '',
    is_primary  INTEGER NOT NULL DEFAULT 0,
    position    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (contact_id, address_key)
);
CREATE UNIQUE INDEX contact_emails_primary_idx ON contact_emails (contact_id) WHERE is_primary = 1;
CREATE INDEX contact_emails_key_idx ON contact_emails (address_key);

CREATE TABLE contact_phones (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id BIGINT  NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    number     TEXT    NOT NULL, -- as typed
    e164       TEXT    NOT NULL,
    label      TEXT    NOT NULL DEFAULT '',
    is_primary INTEGER NOT NULL DEFAULT 0,
    position   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (contact_id, e164)
);
CREATE UNIQUE INDEX contact_phones_primary_idx ON contact_phones (contact_id) WHERE is_primary = 1;
CREATE INDEX contact_phones_e164_idx ON contact_phones (e164);

CREATE TABLE contact_addresses (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id  BIGINT  NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    label       TEXT    NOT NULL DEFAULT '',
    street      TEXT    NOT NULL DEFAULT '',
    city        TEXT    NOT NULL DEFAULT '',
    region      TEXT    NOT NULL DEFAULT '',
    postal_code TEXT    NOT NULL DEFAULT '',
    country     TEXT    NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX contact_addresses_contact_idx ON contact_addresses (contact_id, position);

CREATE TABLE contact_tags (
    contact_id BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    tag        TEXT   NOT NULL,                -- as first written
    tag_key    TEXT   NOT NULL, -- folded, so "VIP" and "vip" are one tag
    PRIMARY KEY (contact_id, tag_key)
);
CREATE INDEX contact_tags_key_idx ON contact_tags (tag_key, contact_id);

CREATE TABLE social_profiles (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id BIGINT      NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    network    TEXT        NOT NULL,
    handle     TEXT        NOT NULL DEFAULT '',
    url        TEXT        NOT NULL,
    feed_url   TEXT        NOT NULL DEFAULT '',
    position   INTEGER     NOT NULL DEFAULT 0,
    created_at DATETIME NOT NULL,
    UNIQUE (contact_id, url)
);
CREATE INDEX social_profiles_feed_idx ON social_profiles (feed_url) WHERE feed_url <> '';

CREATE TABLE custom_field_defs (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    key        TEXT        NOT NULL UNIQUE,
    label      TEXT        NOT NULL,
    kind       TEXT        NOT NULL CHECK (kind IN ('text', 'number', 'date', 'choice')),
    choices    TEXT        NOT NULL DEFAULT '[]', -- JSON array of strings, for kind 'choice'
    position   INTEGER     NOT NULL DEFAULT 0,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);

-- +goose Down
-- Rapport migrates forward only; see docs/ARCHITECTURE.md.
SELECT 1;
