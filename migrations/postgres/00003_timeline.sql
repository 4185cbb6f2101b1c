-- The contact timeline: one table of items every feature writes to
-- (interactions, notes, tasks, social posts, profile changes, merges,
-- imports, owner changes), and the interactions (calls, meetings, emails,
-- messages) that are the first feature to write there. Times are timestamptz
-- in UTC, written by Go. See docs/TIMELINE.md for the design.
--
-- Vocabularies that will grow (timeline kinds and sources, interaction kinds
-- and channels) are checked in Go, not by CHECK constraints: SQLite can
-- change a CHECK only by rebuilding the table, and this is the largest one.

-- +goose Up
CREATE TABLE interactions (
    id                       BIGSERIAL PRIMARY KEY,
    kind                     TEXT        NOT NULL, -- call, meeting, email, message
    direction                TEXT        NOT NULL DEFAULT '' CHECK (direction IN ('', 'inbound', 'outbound')),
    channel                  TEXT        NOT NULL, -- phone, video, in_person, email, sms, chat, social_dm, letter, other
    occurred_at              TIMESTAMPTZ NOT NULL,
    duration_seconds         INTEGER     NOT NULL DEFAULT 0 CHECK (duration_seconds >= 0),
    subject                  TEXT        NOT NULL DEFAULT '',
    body                     TEXT        NOT NULL DEFAULT '', -- plain text
    outcome                  TEXT        NOT NULL DEFAULT '',
    source                   TEXT        NOT NULL DEFAULT 'user', -- user, api, import, feed, system
    -- The department the author logged it for, shown beside their name.
    actor_department_id      BIGINT REFERENCES departments (id) ON DELETE SET NULL,
    -- NULL: whoever sees a participant sees it. Set: only that department.
    restricted_department_id BIGINT REFERENCES departments (id) ON DELETE RESTRICT,
    created_by               BIGINT REFERENCES users (id) ON DELETE SET NULL,
    version                  BIGINT      NOT NULL DEFAULT 1,
    created_at               TIMESTAMPTZ NOT NULL,
    updated_at               TIMESTAMPTZ NOT NULL,
    deleted_at               TIMESTAMPTZ
);
CREATE INDEX interactions_department_idx ON interactions (restricted_department_id) WHERE restricted_department_id IS NOT NULL;

-- Who took part: contacts (each gets a timeline item) and colleagues.
CREATE TABLE interaction_participants (
    id             BIGSERIAL PRIMARY KEY,
    interaction_id BIGINT NOT NULL REFERENCES interactions (id) ON DELETE CASCADE,
    contact_id     BIGINT REFERENCES contacts (id) ON DELETE CASCADE,
    user_id        BIGINT REFERENCES users (id) ON DELETE CASCADE,
    CHECK ((contact_id IS NULL) <> (user_id IS NULL))
);
CREATE INDEX interaction_participants_interaction_idx ON interaction_participants (interaction_id);
-- Also answers "the interactions of this contact" (last_contacted_at).
CREATE UNIQUE INDEX interaction_participants_contact_idx ON interaction_participants (contact_id, interaction_id) WHERE contact_id IS NOT NULL;
CREATE UNIQUE INDEX interaction_participants_user_idx ON interaction_participants (user_id, interaction_id) WHERE user_id IS NOT NULL;

CREATE TABLE timeline_items (
    id                       BIGSERIAL PRIMARY KEY,
    contact_id               BIGINT      NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    kind                     TEXT        NOT NULL, -- interaction, note, task, social, change, merge, import, owner
    occurred_at              TIMESTAMPTZ NOT NULL,
    actor_user_id            BIGINT REFERENCES users (id) ON DELETE SET NULL,
    actor_department_id      BIGINT REFERENCES departments (id) ON DELETE SET NULL,
    source                   TEXT        NOT NULL, -- user, api, import, feed, system
    -- NULL: whoever sees the contact sees the item. Set: only members of
    -- that department, admins included, as for contacts.
    restricted_department_id BIGINT REFERENCES departments (id) ON DELETE RESTRICT,
    -- The record the item shows ('interaction', 42); '' and NULL for items
    -- that are their own record (profile changes).
    ref_type                 TEXT        NOT NULL DEFAULT '',
    ref_id                   BIGINT,
    channel                  TEXT        NOT NULL DEFAULT '', -- for the channel filter
    summary                  TEXT        NOT NULL DEFAULT '',
    data                     TEXT        NOT NULL DEFAULT '{}', -- JSON object, what the view needs
    created_at               TIMESTAMPTZ NOT NULL,
    updated_at               TIMESTAMPTZ NOT NULL,
    deleted_at               TIMESTAMPTZ
);
-- A contact's timeline, newest first: a page is one range scan of this
-- index. Not partial, so it also serves merges moving a contact's items and
-- the cascade when a contact is purged; deleted items are few.
CREATE INDEX timeline_items_contact_idx ON timeline_items (contact_id, occurred_at DESC, id DESC);
-- The activity feed across contacts, newest first.
CREATE INDEX timeline_items_feed_idx ON timeline_items (occurred_at DESC, id DESC);
-- One live item per record and contact; finds a record's items to update.
CREATE UNIQUE INDEX timeline_items_ref_idx ON timeline_items (ref_type, ref_id, contact_id) WHERE ref_id IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX timeline_items_department_idx ON timeline_items (restricted_department_id) WHERE restricted_department_id IS NOT NULL;

-- +goose Down
-- Rapport migrates forward only; see docs/ARCHITECTURE.md.
SELECT 1;
