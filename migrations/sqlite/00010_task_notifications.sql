-- Task reminders join the notifications menu (issue #7): a notification is
-- about a note or about a task, exactly one, so the menu, its unread count
-- and "mark as read" serve both. The reminders kept until now in their own
-- table move over and that table goes. SQLite cannot drop a NOT NULL or add
-- a CHECK in place, so the table is rebuilt with every index it had.

-- +goose Up
CREATE TABLE notifications_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT        NOT NULL, -- mention, reply, task_due
    note_id    BIGINT REFERENCES notes (id) ON DELETE CASCADE,
    task_id    BIGINT REFERENCES tasks (id) ON DELETE CASCADE,
    contact_id BIGINT REFERENCES contacts (id) ON DELETE CASCADE,
    company_id BIGINT REFERENCES companies (id) ON DELETE CASCADE,
    actor_id   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at DATETIME NOT NULL,
    read_at    DATETIME,
    CHECK ((note_id IS NULL) <> (task_id IS NULL))
);
INSERT INTO notifications_new (id, user_id, kind, note_id, contact_id, company_id, actor_id, created_at, read_at)
SELECT id, user_id, kind, note_id, contact_id, company_id, actor_id, created_at, read_at FROM notifications;
INSERT INTO notifications_new (user_id, kind, task_id, contact_id, created_at, read_at)
SELECT tn.user_id, tn.kind, tn.task_id, t.contact_id, tn.created_at, tn.read_at
FROM task_notifications tn JOIN tasks t ON t.id = tn.task_id
ORDER BY tn.id;
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE UNIQUE INDEX notifications_note_idx ON notifications (user_id, kind, note_id);
CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;
CREATE INDEX notifications_by_note_idx ON notifications (note_id);
CREATE INDEX notifications_by_task_idx ON notifications (task_id) WHERE task_id IS NOT NULL;
DROP TABLE task_notifications;

-- +goose Down
SELECT 1;
