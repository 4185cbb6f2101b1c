-- Foundation: departments, users, sessions, API tokens, the audit trail and
-- the background job queue. Times are stored as text in UTC, written by Go, so they compare in order.

-- +goose Up
-- Instance-wide settings; the row 'setup_completed' doubles as the guard that
-- lets exactly one first-run setup succeed.
CREATE TABLE app_settings (
    key        TEXT PRIMARY KEY,
    value      TEXT        NOT NULL,
    updated_at DATETIME NOT NULL
);

CREATE TABLE departments (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT        NOT NULL,
    slug       TEXT        NOT NULL UNIQUE,
    created_at DATETIME NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT        NOT NULL,
    email_key     TEXT        NOT NULL UNIQUE, -- lower-cased, for case-insensitive matching
    name          TEXT        NOT NULL,
    role          TEXT        NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),
    password_hash TEXT        NOT NULL DEFAULT '',
    auth_epoch    BIGINT      NOT NULL DEFAULT 0, -- sessions remember it; bumping it signs every session out
    time_zone     TEXT        NOT NULL DEFAULT 'UTC',
    disabled_at   DATETIME,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);

CREATE TABLE user_departments (
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    department_id BIGINT NOT NULL REFERENCES departments (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, department_id)
);
CREATE INDEX user_departments_department_idx ON user_departments (department_id);

CREATE TABLE invitations (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash     TEXT        NOT NULL UNIQUE,
    email          TEXT        NOT NULL,
    name           TEXT        NOT NULL DEFAULT '',
    role           TEXT        NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),
    department_ids TEXT        NOT NULL DEFAULT '[]',
    invited_by     BIGINT      NOT NULL REFERENCES users (id),
    created_at     DATETIME NOT NULL,
    expires_at     DATETIME NOT NULL,
    accepted_at    DATETIME,
    accepted_by    BIGINT REFERENCES users (id),
    revoked_at     DATETIME
);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT        NOT NULL,
    token_hash   TEXT        NOT NULL UNIQUE,
    prefix       TEXT        NOT NULL,
    created_at   DATETIME NOT NULL,
    expires_at   DATETIME,
    last_used_at DATETIME,
    revoked_at   DATETIME
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id, id);

-- Server-side sessions in the layout scs's sqlite3store expects (expiry as a Julian day).
CREATE TABLE sessions (
    token  TEXT PRIMARY KEY,
    data   BLOB       NOT NULL,
    expiry REAL NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- Failed sign-ins per account and per client address, for throttling.
CREATE TABLE sign_in_throttles (
    key           TEXT PRIMARY KEY,
    failures      INTEGER     NOT NULL,
    window_start  DATETIME NOT NULL,
    blocked_until DATETIME
);

CREATE TABLE audit_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    occurred_at  DATETIME NOT NULL,
    actor_id     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    actor_label  TEXT        NOT NULL DEFAULT '',
    action       TEXT        NOT NULL,
    subject_type TEXT        NOT NULL DEFAULT '',
    subject_id   BIGINT,
    detail       TEXT        NOT NULL DEFAULT '',
    client_ip    TEXT        NOT NULL DEFAULT '',
    request_id   TEXT        NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_time_idx ON audit_events (occurred_at DESC, id DESC);
CREATE INDEX audit_events_action_idx ON audit_events (action, occurred_at DESC, id DESC);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, occurred_at DESC, id DESC);

CREATE TABLE jobs (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    kind             TEXT        NOT NULL,
    payload          TEXT        NOT NULL DEFAULT '{}',
    status           TEXT        NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    attempts         INTEGER     NOT NULL DEFAULT 0,
    max_attempts     INTEGER     NOT NULL DEFAULT 5,
    run_at           DATETIME NOT NULL,
    lease_owner      TEXT,
    lease_expires_at DATETIME,
    cancel_requested INTEGER     NOT NULL DEFAULT 0,
    checkpoint       TEXT        NOT NULL DEFAULT '',
    progress_done    BIGINT      NOT NULL DEFAULT 0,
    progress_total   BIGINT      NOT NULL DEFAULT 0,
    progress         TEXT        NOT NULL DEFAULT '{}',
    last_error       TEXT        NOT NULL DEFAULT '',
    created_by       BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL,
    started_at       DATETIME,
    finished_at      DATETIME
);
CREATE INDEX jobs_due_idx ON jobs (run_at, id) WHERE status = 'queued';
CREATE INDEX jobs_lease_idx ON jobs (lease_expires_at) WHERE status = 'running';
CREATE INDEX jobs_list_idx ON jobs (created_at DESC, id DESC);

-- +goose Down
-- Rapport migrates forward only; see docs/ARCHITECTURE.md.
SELECT 1;
