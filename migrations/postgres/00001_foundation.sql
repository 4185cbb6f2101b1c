-- Foundation: departments, users, sessions, API tokens, the audit trail and
-- the background job queue. Times are stored as timestamptz in UTC.

-- +goose Up
-- Instance-wide settings; the row 'setup_completed' doubles as the guard that
-- lets exactly one first-run setup succeed.
CREATE TABLE app_settings (
    key        TEXT PRIMARY KEY,
    value      TEXT        NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE departments (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT        NOT NULL,
    slug       TEXT        NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    email         TEXT        NOT NULL,
    email_key     TEXT        NOT NULL UNIQUE, -- lower-cased, for case-insensitive matching
    name          TEXT        NOT NULL,
    role          TEXT        NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),
    password_hash TEXT        NOT NULL DEFAULT '',
    auth_epoch    BIGINT      NOT NULL DEFAULT 0, -- sessions remember it; bumping it signs every session out
    time_zone     TEXT        NOT NULL DEFAULT 'UTC',
    disabled_at   TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE user_departments (
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    department_id BIGINT NOT NULL REFERENCES departments (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, department_id)
);
CREATE INDEX user_departments_department_idx ON user_departments (department_id);

CREATE TABLE invitations (
    id             BIGSERIAL PRIMARY KEY,
    token_hash     TEXT        NOT NULL UNIQUE,
    email          TEXT        NOT NULL,
    name           TEXT        NOT NULL DEFAULT '',
    role           TEXT        NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),
    department_ids TEXT        NOT NULL DEFAULT '[]',
    invited_by     BIGINT      NOT NULL REFERENCES users (id),
    created_at     TIMESTAMPTZ NOT NULL,
    expires_at     TIMESTAMPTZ NOT NULL,
    accepted_at    TIMESTAMPTZ,
    accepted_by    BIGINT REFERENCES users (id),
    revoked_at     TIMESTAMPTZ
);

CREATE TABLE api_tokens (
    id           BIGSERIAL PRIMARY KEY,
    user_id      BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT        NOT NULL,
    token_hash   TEXT        NOT NULL UNIQUE,
    prefix       TEXT        NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id, id);

-- Server-side sessions in the layout scs's postgresstore expects.
CREATE TABLE sessions (
    token  TEXT PRIMARY KEY,
    data   BYTEA       NOT NULL,
    expiry TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- Failed sign-ins per account and per client address, for throttling.
CREATE TABLE sign_in_throttles (
    key           TEXT PRIMARY KEY,
    failures      INTEGER     NOT NULL,
    window_start  TIMESTAMPTZ NOT NULL,
    blocked_until TIMESTAMPTZ
);

CREATE TABLE audit_events (
    id           BIGSERIAL PRIMARY KEY,
    occurred_at  TIMESTAMPTZ NOT NULL,
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
    id               BIGSERIAL PRIMARY KEY,
    kind             TEXT        NOT NULL,
    payload          TEXT        NOT NULL DEFAULT '{}',
    status           TEXT        NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    attempts         INTEGER     NOT NULL DEFAULT 0,
    max_attempts     INTEGER     NOT NULL DEFAULT 5,
    run_at           TIMESTAMPTZ NOT NULL,
    lease_owner      TEXT,
    lease_expires_at TIMESTAMPTZ,
    cancel_requested BOOLEAN     NOT NULL DEFAULT FALSE,
    checkpoint       TEXT        NOT NULL DEFAULT '',
    progress_done    BIGINT      NOT NULL DEFAULT 0,
    progress_total   BIGINT      NOT NULL DEFAULT 0,
    progress         TEXT        NOT NULL DEFAULT '{}',
    last_error       TEXT        NOT NULL DEFAULT '',
    created_by       BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    started_at       TIMESTAMPTZ,
    finished_at      TIMESTAMPTZ
);
CREATE INDEX jobs_due_idx ON jobs (run_at, id) WHERE status = 'queued';
CREATE INDEX jobs_lease_idx ON jobs (lease_expires_at) WHERE status = 'running';
CREATE INDEX jobs_list_idx ON jobs (created_at DESC, id DESC);

-- +goose Down
-- Rapport migrates forward only; see docs/ARCHITECTURE.md.
SELECT 1;
