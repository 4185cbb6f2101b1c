-- Contacts and companies: the people Rapport is about, their emails, phones,
-- addresses, tags and social profiles, the companies they work for, and the
-- admin-defined custom fields. Times are timestamptz in UTC, written by Go.
--
-- Columns ending in _key hold Go's search form of a value (trimmed,
-- case-folded, accents removed) and are declared COLLATE "C" so that they
-- sort and compare byte by byte, exactly as SQLite's BINARY collation does:
-- keyset cursors and prefix ranges then mean the same on both databases.

-- +goose Up
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE companies (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT        NOT NULL,
    name_key   TEXT        NOT NULL COLLATE "C",
    domain     TEXT        COLLATE "C", -- lower-cased host name; NULL when unknown
    industry   TEXT        NOT NULL DEFAULT '',
    size       TEXT        NOT NULL DEFAULT '',
    address    TEXT        NOT NULL DEFAULT '',
    tags       TEXT        NOT NULL DEFAULT '[]', -- JSON array of strings
    version    BIGINT      NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    deleted_at TIMESTAMPTZ
);
-- A domain names one live company; a deleted company frees its domain.
CREATE UNIQUE INDEX companies_domain_idx ON companies (domain) WHERE domain IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX companies_name_idx ON companies (name_key, id) WHERE deleted_at IS NULL;
CREATE INDEX companies_updated_idx ON companies (updated_at DESC, id DESC) WHERE deleted_at IS NULL;

CREATE TABLE contacts (
    id                       BIGSERIAL PRIMARY KEY,
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
    last_contacted_at        TIMESTAMPTZ,
    version                  BIGINT      NOT NULL DEFAULT 1,
    created_at               TIMESTAMPTZ NOT NULL,
    updated_at               TIMESTAMPTZ NOT NULL,
    deleted_at               TIMESTAMPTZ,
    merged_into_id           BIGINT REFERENCES contacts (id) ON DELETE SET NULL,
    -- name_key sorts the list by name (family name first) and answers
    -- searches too short for trigrams; search_text is everything a search
    -- matches, both maintained by Go on every write.
    name_key                 TEXT        NOT NULL DEFAULT '' COLLATE "C",
    search_text              TEXT        NOT NULL DEFAULT ''
);
CREATE INDEX contacts_name_idx ON contacts (name_key, id) WHERE deleted_at IS NULL;
CREATE INDEX contacts_updated_idx ON contacts (updated_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX contacts_created_idx ON contacts (created_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX contacts_last_contacted_idx ON contacts (last_contacted_at DESC NULLS LAST, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX contacts_owner_idx ON contacts (owner_id, name_key, id) WHERE deleted_at IS NULL;
CREATE INDEX contacts_company_idx ON contacts (company_id, name_key, id);
CREATE INDEX contacts_department_idx ON contacts (restricted_department_id) WHERE restricted_department_id IS NOT NULL;
CREATE INDEX contacts_merged_into_idx ON contacts (merged_into_id) WHERE merged_into_id IS NOT NULL;
CREATE INDEX contacts_search_idx ON contacts USING GIN (search_text gin_trgm_ops);

CREATE TABLE contact_emails (
    id          BIGSERIAL PRIMARY KEY,
    contact_id  BIGINT  NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    address     TEXT    NOT NULL,
    address_key TEXT    NOT NULL COLLATE "C", -- trimmed, lower-cased
    label       TEXT    NOT NULL DEFAULT '',
    is_primary  BOOLEAN NOT NULL DEFAULT FALSE,
    position    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (contact_id, address_key)
);
CREATE UNIQUE INDEX contact_emails_primary_idx ON contact_emails (contact_id) WHERE is_primary;
CREATE INDEX contact_emails_key_idx ON contact_emails (address_key);

CREATE TABLE contact_phones (
    id         BIGSERIAL PRIMARY KEY,
    contact_id BIGINT  NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    number     TEXT    NOT NULL, -- as typed
    e164       TEXT    NOT NULL COLLATE "C",
    label      TEXT    NOT NULL DEFAULT '',
    is_primary BOOLEAN NOT NULL DEFAULT FALSE,
    position   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (contact_id, e164)
);
CREATE UNIQUE INDEX contact_phones_primary_idx ON contact_phones (contact_id) WHERE is_primary;
CREATE INDEX contact_phones_e164_idx ON contact_phones (e164);

CREATE TABLE contact_addresses (
    id          BIGSERIAL PRIMARY KEY,
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
    tag_key    TEXT   NOT NULL COLLATE "C", -- folded, so "VIP" and "vip" are one tag
    PRIMARY KEY (contact_id, tag_key)
);
CREATE INDEX contact_tags_key_idx ON contact_tags (tag_key, contact_id);

CREATE TABLE social_profiles (
    id         BIGSERIAL PRIMARY KEY,
    contact_id BIGINT      NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    network    TEXT        NOT NULL,
    handle     TEXT        NOT NULL DEFAULT '',
    url        TEXT        NOT NULL,
    feed_url   TEXT        NOT NULL DEFAULT '',
    position   INTEGER     NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (contact_id, url)
);
CREATE INDEX social_profiles_feed_idx ON social_profiles (feed_url) WHERE feed_url <> '';

CREATE TABLE custom_field_defs (
    id         BIGSERIAL PRIMARY KEY,
    key        TEXT        NOT NULL UNIQUE,
    label      TEXT        NOT NULL,
    kind       TEXT        NOT NULL CHECK (kind IN ('text', 'number', 'date', 'choice')),
    choices    TEXT        NOT NULL DEFAULT '[]', -- JSON array of strings, for kind 'choice'
    position   INTEGER     NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
-- Rapport migrates forward only; see docs/ARCHITECTURE.md.
SELECT 1;
