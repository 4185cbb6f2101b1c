package models

import (
	"context"
	"fmt"
	"time"
)

// Reminders: a background job asks DueReminders what is due and fires each
// with MarkReminded, which is fenced so that two workers (or a retried job)
// never remind twice.

// NotificationTaskDue tells a person a task of theirs (or of their
// department's queue) fell due.
const NotificationTaskDue NotificationKind = "task_due"

// TaskNotification is a task reminder as the reminder job and its tests
// see it: a row of notifications with a task_id (the menu reads them with
// Notifications, beside the notes').
type TaskNotification struct {
	ID        int64            `json:"id"`
	UserID    int64            `json:"-"`
	TaskID    int64            `json:"task_id"`
	Kind      NotificationKind `json:"kind"`
	CreatedAt time.Time        `json:"created_at"`
	ReadAt    *time.Time       `json:"read_at,omitempty"`
}

// DueReminders returns up to limit open tasks on live contacts whose due
// time has come by now and whose reminder has not fired, oldest due first.
// It is for the reminder job, not for people: it applies no visibility.
func (db *DB) DueReminders(ctx context.Context, at time.Time, limit int) ([]Task, error) {
	var ts []Task
	err := db.with(ctx).Model(&Task{}).Select("tasks.*").Joins(joinTaskContacts).
		Where("tasks.status = 'open' AND tasks.reminded_at IS NULL AND tasks.deleted_at IS NULL AND tasks.due_at IS NOT NULL AND tasks.due_at <= ?", at.UTC()).
		Where("contacts.deleted_at IS NULL").
		Order("tasks.due_at, tasks.id").Limit(clampLimit(limit, 100, 1000)).Find(&ts).Error
	if err != nil {
		return nil, fmt.Errorf("models: due reminders: %w", err)
	}
	for i := range ts {
		ts[i].utc()
	}
	return ts, nil
}

// MarkReminded records that a task's reminder fired at remindedAt and
// notifies its assignee (or, for a queued task, the members of its
// department who may see the contact), in one transaction. It reports
// whether this call fired it: the update is fenced on reminded_at IS NULL,
// so of two workers racing on one task exactly one gets true and writes
// notifications. A task done, cancelled or deleted meanwhile is not
// reminded.
func (db *DB) MarkReminded(ctx context.Context, taskID int64, remindedAt time.Time) (bool, error) {
	fired := false
	err := db.Tx(ctx, func(tx *DB) error {
		res := tx.with(ctx).Model(&Task{}).
			Where("id = ? AND reminded_at IS NULL AND status = 'open' AND deleted_at IS NULL", taskID).
			Update("reminded_at", remindedAt.UTC().Truncate(time.Microsecond))
		if res.Error != nil {
			return fmt.Errorf("models: mark task %d reminded: %w", taskID, res.Error)
		}
		if res.RowsAffected == 0 {
			return nil
		}
		fired = true
		var t Task
		if err := tx.with(ctx).First(&t, taskID).Error; err != nil {
			return notFound(err, fmt.Sprintf("task %d", taskID))
		}
		var restricted *int64
		if err := tx.with(ctx).Model(&Contact{}).Where("id = ?", t.ContactID).
			Select("restricted_department_id").Scan(&restricted).Error; err != nil {
			return fmt.Errorf("models: remind task %d: contact: %w", taskID, err)
		}
		q := tx.with(ctx).Table("users").Where("users.disabled_at IS NULL")
		if t.AssigneeID != nil {
			q = q.Where("users.id = ?", *t.AssigneeID)
		} else {
			q = q.Where("EXISTS (SELECT 1 FROM user_departments ud WHERE ud.user_id = users.id AND ud.department_id = ?)", *t.DepartmentID)
		}
		if restricted != nil {
			q = q.Where("EXISTS (SELECT 1 FROM user_departments ud WHERE ud.user_id = users.id AND ud.department_id = ?)", *restricted)
		}
		var userIDs []int64
		if err := q.Order("users.id").Pluck("users.id", &userIDs).Error; err != nil {
			return fmt.Errorf("models: remind task %d: recipients: %w", taskID, err)
		}
		if len(userIDs) == 0 {
			return nil
		}
		rows := make([]notificationRecord, len(userIDs))
		at := now()
		for i, id := range userIDs {
			rows[i] = notificationRecord{UserID: id, TaskID: &taskID, ContactID: &t.ContactID, Kind: NotificationTaskDue, CreatedAt: at}
		}
		if err := tx.with(ctx).Create(&rows).Error; err != nil {
			return fmt.Errorf("models: remind task %d: %w", taskID, err)
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	return fired, nil
}

// TaskNotifications lists the actor's newest task notifications (at most
// limit) about tasks they may still see; unreadOnly keeps the unread.
func (db *DB) TaskNotifications(ctx context.Context, actor Actor, unreadOnly bool, limit int) ([]TaskNotification, error) {
	q := db.with(ctx).Table("notifications").
		Select("notifications.id, notifications.user_id, notifications.task_id, notifications.kind, notifications.created_at, notifications.read_at").
		Joins("JOIN tasks ON tasks.id = notifications.task_id").Joins(joinTaskContacts).
		Scopes(visibleTasks(actor)).Where("notifications.user_id = ?", actor.UserID)
	if unreadOnly {
		q = q.Where("notifications.read_at IS NULL")
	}
	var ns []TaskNotification
	if err := q.Order("notifications.created_at DESC, notifications.id DESC").Limit(clampLimit(limit, 50, 200)).
		Scan(&ns).Error; err != nil {
		return nil, fmt.Errorf("models: task notifications: %w", err)
	}
	return ns, nil
}
