-- Merges of duplicate contacts, kept so a merge can be undone: what the
-- survivor looked like before, and which rows moved from the merged-away
-- contact to it.

-- +goose Up
CREATE TABLE contact_merges (
    id               BIGSERIAL PRIMARY KEY,
    survivor_id      BIGINT      NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    loser_id         BIGINT      NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    actor_id         BIGINT REFERENCES users (id) ON DELETE SET NULL,
    survivor_before  TEXT        NOT NULL, -- JSON: the survivor as a full patch
    survivor_version BIGINT      NOT NULL, -- the survivor's version right after the merge
    moved            TEXT        NOT NULL, -- JSON: {table: [row ids]} moved to the survivor
    created_at       TIMESTAMPTZ NOT NULL,
    undone_at        TIMESTAMPTZ,
    undone_by        BIGINT REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX contact_merges_survivor_idx ON contact_merges (survivor_id, id DESC);
CREATE INDEX contact_merges_loser_idx ON contact_merges (loser_id, id DESC);

-- +goose Down
SELECT 1;
