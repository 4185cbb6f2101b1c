-- Social streams and listening (issue #8; docs/SOCIAL.md): the feeds Rapport
-- polls, the posts it stores, the terms it listens for and the Inbox of
-- posts that need an answer. Times are timestamptz in UTC, written by Go.

-- +goose Up
-- One row per distinct feed URL some profile names, with its polling
-- state. Joined to social_profiles by url = feed_url, with no foreign key,
-- so editing a profile never waits on a poll.
CREATE TABLE social_feeds (
    id               BIGSERIAL PRIMARY KEY,
    url              TEXT        NOT NULL UNIQUE,
    etag             TEXT        NOT NULL DEFAULT '',
    last_modified    TEXT        NOT NULL DEFAULT '',
    interval_seconds INTEGER     NOT NULL DEFAULT 0, -- 0: the configured default
    next_poll_at     TIMESTAMPTZ NOT NULL,
    -- A claimed feed is leased: no other instance polls it until the lease
    -- ends, and a crashed poller's lease simply expires.
    lease_owner      TEXT        NOT NULL DEFAULT '',
    lease_until      TIMESTAMPTZ,
    last_polled_at   TIMESTAMPTZ,
    last_success_at  TIMESTAMPTZ,
    last_error       TEXT        NOT NULL DEFAULT '',
    error_count      INTEGER     NOT NULL DEFAULT 0, -- consecutive; drives backoff
    items_total      BIGINT      NOT NULL DEFAULT 0,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX social_feeds_due_idx ON social_feeds (next_poll_at, id);

-- One row per post, whichever way it came in.
CREATE TABLE social_items (
    id           BIGSERIAL PRIMARY KEY,
    network      TEXT        NOT NULL,
    external_id  TEXT        NOT NULL, -- GUID, else link, else a hash of link+date+title
    feed_id      BIGINT REFERENCES social_feeds (id) ON DELETE SET NULL,
    source       TEXT        NOT NULL CHECK (source IN ('feed', 'push')),
    handle       TEXT        NOT NULL DEFAULT '',
    author_name  TEXT        NOT NULL DEFAULT '',
    profile_url  TEXT        NOT NULL DEFAULT '',
    url          TEXT        NOT NULL DEFAULT '',
    title        TEXT        NOT NULL DEFAULT '',
    text         TEXT        NOT NULL DEFAULT '', -- plain, for matching
    html         TEXT        NOT NULL DEFAULT '', -- sanitised
    media        TEXT        NOT NULL DEFAULT '[]', -- JSON array of {url, type, title}
    published_at TIMESTAMPTZ NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (network, external_id)
);
-- Posts per day on the listening dashboard.
CREATE INDEX social_items_published_idx ON social_items (published_at, id);
CREATE INDEX social_items_feed_idx ON social_items (feed_id) WHERE feed_id IS NOT NULL;

-- Matching a pushed post to its contacts by network and handle.
CREATE INDEX social_profiles_handle_idx ON social_profiles (network, lower(handle)) WHERE handle <> '';
CREATE INDEX social_profiles_url_idx ON social_profiles (url);

CREATE TABLE watch_terms (
    id         BIGSERIAL PRIMARY KEY,
    term       TEXT        NOT NULL,
    term_key   TEXT        NOT NULL COLLATE "C", -- FoldText(term)
    exclude    TEXT        NOT NULL DEFAULT '[]', -- JSON array of phrases
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL,
    deleted_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX watch_terms_key_idx ON watch_terms (term_key) WHERE deleted_at IS NULL;

-- One conversation per post that needs an answer.
CREATE TABLE inbox_items (
    id                       BIGSERIAL PRIMARY KEY,
    social_item_id           BIGINT      NOT NULL UNIQUE REFERENCES social_items (id) ON DELETE CASCADE,
    -- NULL: the author is not a contact (yet); everyone signed in sees it.
    contact_id               BIGINT REFERENCES contacts (id) ON DELETE SET NULL,
    reason                   TEXT        NOT NULL DEFAULT '[]', -- JSON array: term, attention
    matched_terms            TEXT        NOT NULL DEFAULT '[]', -- JSON array, as written
    status                   TEXT        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'replied', 'closed')),
    assignee_user_id         BIGINT REFERENCES users (id) ON DELETE SET NULL,
    assignee_department_id   BIGINT REFERENCES departments (id) ON DELETE SET NULL,
    -- Copied from the post: the wait starts when the customer posted.
    published_at             TIMESTAMPTZ NOT NULL,
    first_reply_at           TIMESTAMPTZ,
    response_seconds         BIGINT,
    reply_interaction_id     BIGINT REFERENCES interactions (id) ON DELETE SET NULL,
    reply_url                TEXT        NOT NULL DEFAULT '',
    reply_text               TEXT        NOT NULL DEFAULT '',
    replied_by_user_id       BIGINT REFERENCES users (id) ON DELETE SET NULL,
    replied_by_department_id BIGINT REFERENCES departments (id) ON DELETE SET NULL,
    closed_at                TIMESTAMPTZ,
    closed_by_user_id        BIGINT REFERENCES users (id) ON DELETE SET NULL,
    close_reason             TEXT        NOT NULL DEFAULT '',
    version                  BIGINT      NOT NULL DEFAULT 1,
    created_at               TIMESTAMPTZ NOT NULL,
    updated_at               TIMESTAMPTZ NOT NULL
);
-- The queue by status, oldest first.
CREATE INDEX inbox_items_status_idx ON inbox_items (status, published_at, id);
-- Every status at once, and the dashboard's window.
CREATE INDEX inbox_items_published_idx ON inbox_items (published_at, id);
-- Merges move a contact's items; visibility joins on it.
CREATE INDEX inbox_items_contact_idx ON inbox_items (contact_id) WHERE contact_id IS NOT NULL;
-- The listening dashboard's response times over a window.
CREATE INDEX inbox_items_first_reply_idx ON inbox_items (first_reply_at) WHERE first_reply_at IS NOT NULL;
CREATE INDEX inbox_items_assignee_idx ON inbox_items (assignee_user_id) WHERE assignee_user_id IS NOT NULL;
CREATE INDEX inbox_items_assignee_dept_idx ON inbox_items (assignee_department_id) WHERE assignee_department_id IS NOT NULL;

-- +goose Down
-- Rapport migrates forward only; see docs/ARCHITECTURE.md.
SELECT 1;
