package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// TaskSection splits a person's tasks by their day: overdue (due before
// today began), today, upcoming (due after today, then someday), and done.
// The open sections partition the open tasks, so the badge (OverdueCount)
// counts exactly what the Overdue section lists.
type TaskSection string

// Task sections.
const (
	SectionOpen     TaskSection = "" // every open task, by due date
	SectionOverdue  TaskSection = "overdue"
	SectionToday    TaskSection = "today"
	SectionUpcoming TaskSection = "upcoming"
	SectionDone     TaskSection = "done"
)

// TaskListOptions choose a page of a task list.
type TaskListOptions struct {
	Section TaskSection
	// TimeZone is the reader's, which decides where "today" begins and
	// ends; UTC when nil.
	TimeZone *time.Location
	// Now is the current time, for tests; the clock when zero.
	Now    time.Time
	Cursor string // TaskPage.NextCursor
	Limit  int    // 50 by default, at most 200
}

// TaskPage is one page of tasks.
type TaskPage struct {
	Tasks      []Task `json:"tasks"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// Open tasks page by (due_at, id), someday last; done ones by completion,
// latest first. Both are index ranges (tasks_assignee_open_idx,
// tasks_queue_idx, tasks_assignee_done_idx).
var (
	taskDueOrder = keyset[Task]{column: "tasks.due_at", idColumn: "tasks.id", nullable: true, isTime: true,
		value: func(t *Task) any { return t.DueAt }, rowID: func(t *Task) int64 { return t.ID }}
	taskDoneOrder = keyset[Task]{column: "tasks.completed_at", idColumn: "tasks.id", desc: true, isTime: true,
		value: func(t *Task) any { return *t.CompletedAt }, rowID: func(t *Task) int64 { return t.ID }}
)

// MyTasks lists the tasks assigned to the actor on contacts they may see.
func (db *DB) MyTasks(ctx context.Context, actor Actor, opts TaskListOptions) (*TaskPage, error) {
	if actor.UserID == 0 {
		return &TaskPage{Tasks: []Task{}}, nil
	}
	q := db.with(ctx).Model(&Task{}).Where("tasks.assignee_id = ?", actor.UserID)
	return db.taskPage(ctx, actor, q, "mine", opts)
}

// DepartmentQueue lists the open tasks waiting in a department's queue
// (assigned to the department, not yet to a person). Only its members may
// read it; claiming a task is reassigning it to oneself with UpdateTask.
func (db *DB) DepartmentQueue(ctx context.Context, actor Actor, departmentID int64, opts TaskListOptions) (*TaskPage, error) {
	if !actor.InDepartment(departmentID) {
		return nil, fmt.Errorf("models: queue of department %d: %w", departmentID, ErrForbidden)
	}
	if opts.Section == SectionDone {
		return nil, &ValidationError{Fields: map[string]string{"section": "A queue holds open tasks only: choose overdue, today or upcoming."}}
	}
	q := db.with(ctx).Model(&Task{}).Where("tasks.department_id = ?", departmentID)
	return db.taskPage(ctx, actor, q, fmt.Sprintf("queue%d", departmentID), opts)
}

// NavCountCap bounds the counts shown in the navigation: they are read on
// every page, so each stops after this many rows (the badge says "99+")
// instead of counting a long backlog in full.
const NavCountCap = 100

// OverdueCount counts the actor's open tasks due before their today began,
// for the navigation badge: the actor's own, not their departments'
// queues, and at most NavCountCap. It reads tasks_assignee_open_idx.
func (db *DB) OverdueCount(ctx context.Context, actor Actor, loc *time.Location) (int64, error) {
	if actor.UserID == 0 {
		return 0, nil
	}
	start, _ := dayBounds(now(), loc)
	overdue := db.with(ctx).Model(&Task{}).Select("1").Joins(joinTaskContacts).Scopes(visibleTasks(actor)).
		Where("tasks.assignee_id = ? AND tasks.status = 'open' AND tasks.due_at < ?", actor.UserID, start).Limit(NavCountCap)
	var n int64
	if err := db.with(ctx).Table("(?) AS overdue", overdue).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("models: count overdue tasks: %w", err)
	}
	return n, nil
}

// taskPage reads one page of q (tasks narrowed to a person or a queue) in
// the section opts names.
func (db *DB) taskPage(ctx context.Context, actor Actor, q *gorm.DB, list string, opts TaskListOptions) (*TaskPage, error) {
	limit := clampLimit(opts.Limit, 50, 200)
	at := opts.Now
	if at.IsZero() {
		at = now()
	}
	start, end := dayBounds(at, opts.TimeZone)
	order := taskDueOrder
	// The status literal (not a parameter) lets SQLite match the partial
	// indexes.
	switch opts.Section {
	case SectionOpen:
		q = q.Where("tasks.status = 'open'")
	case SectionOverdue:
		q = q.Where("tasks.status = 'open' AND tasks.due_at < ?", start)
	case SectionToday:
		q = q.Where("tasks.status = 'open' AND tasks.due_at >= ? AND tasks.due_at < ?", start, end)
	case SectionUpcoming:
		q = q.Where("tasks.status = 'open' AND (tasks.due_at >= ? OR tasks.due_at IS NULL)", end)
	case SectionDone:
		q = q.Where("tasks.status = 'done'")
		order = taskDoneOrder
	default:
		return nil, &ValidationError{Fields: map[string]string{"section": "Choose overdue, today, upcoming or done."}}
	}
	sort := list + ":" + string(opts.Section)
	q = q.Select("tasks.*").Joins(joinTaskContacts).Scopes(visibleTasks(actor))
	q, err := order.after(q, sort, opts.Cursor)
	if err != nil {
		return nil, cursorProblem()
	}
	var ts []Task
	if err := q.Order(order.orderBy()).Limit(limit + 1).Find(&ts).Error; err != nil {
		return nil, fmt.Errorf("models: list tasks: %w", err)
	}
	page := &TaskPage{Tasks: ts}
	if len(ts) > limit {
		page.Tasks = ts[:limit]
	}
	if err := db.nameTasks(ctx, page.Tasks); err != nil {
		return nil, err
	}
	if len(ts) > limit {
		page.NextCursor = order.cursor(sort, &page.Tasks[limit-1])
	}
	return page, nil
}

// dayBounds returns when the day containing t began and when it ends, in
// loc (UTC when nil), as UTC instants.
func dayBounds(t time.Time, loc *time.Location) (start, end time.Time) {
	if loc == nil {
		loc = time.UTC
	}
	l := t.In(loc)
	s := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	return s.UTC(), time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, loc).UTC()
}
