-- Tasks and follow-ups (issue #7): tasks on contacts, assigned to a person
-- or a department's queue, with recurrence, reminders and a calendar feed;
-- and each contact's keep-in-touch cadence. Times are
-- timestamptz in UTC, written by Go.

-- +goose Up
-- A task about a contact (and optionally one of their companies). Exactly
-- one of assignee_id (a person) and department_id (the department's
-- queue, until someone claims it) is set.
CREATE TABLE tasks (
    id            BIGSERIAL PRIMARY KEY,
    contact_id    BIGINT   NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    company_id    BIGINT REFERENCES companies (id) ON DELETE SET NULL,
    title         TEXT     NOT NULL,
    notes         TEXT     NOT NULL DEFAULT '',
    due_at        TIMESTAMPTZ, -- NULL: someday
    priority      TEXT     NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high')),
    assignee_id   BIGINT REFERENCES users (id),
    department_id BIGINT REFERENCES departments (id) ON DELETE RESTRICT,
    status        TEXT     NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
    -- A subset of an RFC 5545 RRULE ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"),
    -- '' for none; see models/task_recurrence.go.
    recurrence    TEXT     NOT NULL DEFAULT '',
    -- The first task of a recurring series (its due date anchors the
    -- schedule) and the occurrence this one follows.
    series_id     BIGINT REFERENCES tasks (id) ON DELETE SET NULL,
    previous_id   BIGINT REFERENCES tasks (id) ON DELETE SET NULL,
    -- The timeline record it follows up on, such as ('interaction', 42).
    source_type   TEXT     NOT NULL DEFAULT '',
    source_id     BIGINT,
    created_by    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    completed_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    completed_at  TIMESTAMPTZ,
    -- Set once the due reminder went out; cleared when the due date moves.
    reminded_at   TIMESTAMPTZ,
    version       BIGINT   NOT NULL DEFAULT 1,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    deleted_at    TIMESTAMPTZ,
    CHECK ((assignee_id IS NULL) <> (department_id IS NULL))
);
-- A person's open tasks by due date (overdue, today, upcoming, the badge).
CREATE INDEX tasks_assignee_open_idx ON tasks (assignee_id, due_at, id) WHERE status = 'open' AND deleted_at IS NULL AND assignee_id IS NOT NULL;
-- A person's done tasks, latest first.
CREATE INDEX tasks_assignee_done_idx ON tasks (assignee_id, completed_at DESC, id DESC) WHERE status = 'done' AND deleted_at IS NULL AND assignee_id IS NOT NULL;
-- A department's queue of unclaimed tasks.
CREATE INDEX tasks_queue_idx ON tasks (department_id, due_at, id) WHERE status = 'open' AND deleted_at IS NULL AND department_id IS NOT NULL;
-- Reminders not yet sent, by due date.
CREATE INDEX tasks_reminder_idx ON tasks (due_at, id) WHERE status = 'open' AND reminded_at IS NULL AND deleted_at IS NULL AND due_at IS NOT NULL;
-- A contact's tasks; serves merges moving them and the purge cascade.
CREATE INDEX tasks_contact_idx ON tasks (contact_id, due_at, id);
CREATE INDEX tasks_company_idx ON tasks (company_id) WHERE company_id IS NOT NULL;
CREATE INDEX tasks_series_idx ON tasks (series_id) WHERE series_id IS NOT NULL;
CREATE INDEX tasks_previous_idx ON tasks (previous_id) WHERE previous_id IS NOT NULL;
CREATE INDEX tasks_created_by_idx ON tasks (created_by) WHERE created_by IS NOT NULL;
CREATE INDEX tasks_completed_by_idx ON tasks (completed_by) WHERE completed_by IS NOT NULL;

-- Due reminders, one row per person told. The notes' notifications table
-- needs a note (note_id NOT NULL, read through a join on notes), so task
-- notifications live here until the two are unified.
CREATE TABLE task_notifications (
    id         BIGSERIAL PRIMARY KEY,
    user_id    BIGINT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    task_id    BIGINT   NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    kind       TEXT     NOT NULL, -- task_due
    created_at TIMESTAMPTZ NOT NULL,
    read_at    TIMESTAMPTZ
);
CREATE INDEX task_notifications_user_idx ON task_notifications (user_id, created_at DESC, id DESC);
CREATE INDEX task_notifications_task_idx ON task_notifications (task_id);

-- Keep in touch with a contact every N days, weeks or months. No row: no
-- cadence. The next date is computed from contacts.last_contacted_at (or
-- created_at), so logging an interaction moves it without touching this.
CREATE TABLE contact_cadences (
    contact_id BIGINT   PRIMARY KEY REFERENCES contacts (id) ON DELETE CASCADE,
    every_n    INTEGER  NOT NULL CHECK (every_n > 0),
    unit       TEXT     NOT NULL CHECK (unit IN ('day', 'week', 'month')),
    set_by     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX contact_cadences_rule_idx ON contact_cadences (unit, every_n);

-- Secret links to a person's task calendar (iCalendar). Only a SHA-256 of
-- the secret is kept, as for API tokens.
CREATE TABLE calendar_tokens (
    id         BIGSERIAL PRIMARY KEY,
    user_id    BIGINT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT     NOT NULL UNIQUE,
    prefix     TEXT     NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX calendar_tokens_user_idx ON calendar_tokens (user_id);

-- +goose Down
-- Rapport migrates forward only; see docs/ARCHITECTURE.md.
SELECT 1;
