-- Task reminders join the notifications menu (issue #7): a notification is
-- about a note or about a task, exactly one, so the menu, its unread count
-- and "mark as read" serve both. The reminders kept until now in their own
-- table move over and that table goes.

-- +goose Up
ALTER TABLE notifications ALTER COLUMN note_id DROP NOT NULL;
ALTER TABLE notifications ADD COLUMN task_id BIGINT REFERENCES tasks (id) ON DELETE CASCADE;
ALTER TABLE notifications ADD CONSTRAINT notifications_subject_check CHECK ((note_id IS NULL) <> (task_id IS NULL));
CREATE INDEX notifications_by_task_idx ON notifications (task_id) WHERE task_id IS NOT NULL;
INSERT INTO notifications (user_id, kind, task_id, contact_id, created_at, read_at)
SELECT tn.user_id, tn.kind, tn.task_id, t.contact_id, tn.created_at, tn.read_at
FROM task_notifications tn JOIN tasks t ON t.id = tn.task_id
ORDER BY tn.id;
DROP TABLE task_notifications;

-- +goose Down
SELECT 1;
