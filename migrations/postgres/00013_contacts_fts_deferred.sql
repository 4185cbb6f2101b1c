-- SQLite's migration 00013 lets a bulk insert of contacts index their
-- search text in one statement. Postgres keeps the search text in a
-- pg_trgm GIN index, which buffers new entries in its pending list
-- (fastupdate) whatever the statement, so it needs nothing here. The
-- version number is kept so both dialects stay in step.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
