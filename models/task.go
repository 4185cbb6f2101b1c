package models

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Tasks and follow-ups (issue #7): something to do about a contact, for a
// person or a department's queue, shown on the contact's timeline. See
// task_list.go for the lists, task_recurrence.go for repeating tasks,
// reminder.go and calendar.go for reminders and the calendar feed.

// TaskStatus is where a task stands.
type TaskStatus string

// Task statuses.
const (
	TaskOpen      TaskStatus = "open"
	TaskDone      TaskStatus = "done"
	TaskCancelled TaskStatus = "cancelled"
)

// Valid reports whether s is one of the known statuses.
func (s TaskStatus) Valid() bool { return s == TaskOpen || s == TaskDone || s == TaskCancelled }

// TaskPriority orders what to do first.
type TaskPriority string

// Task priorities.
const (
	PriorityLow    TaskPriority = "low"
	PriorityNormal TaskPriority = "normal"
	PriorityHigh   TaskPriority = "high"
)

// Valid reports whether p is one of the known priorities.
func (p TaskPriority) Valid() bool {
	return p == PriorityLow || p == PriorityNormal || p == PriorityHigh
}

// Limits on a task's text.
const (
	maxTaskTitle = 300
	maxTaskNotes = 10000
	taskRefType  = "task"
)

// Task is something to do about a contact.
type Task struct {
	ID        int64  `json:"id"`
	ContactID int64  `json:"contact_id"`
	CompanyID *int64 `json:"company_id,omitempty"`
	Title     string `json:"title"`
	Notes     string `json:"notes"`
	// DueAt is nil for "someday".
	DueAt    *time.Time   `json:"due_at,omitempty"`
	Priority TaskPriority `json:"priority"`
	// Exactly one of AssigneeID (a person) and DepartmentID (the
	// department's queue, until someone claims it) is set.
	AssigneeID   *int64     `json:"assignee_id,omitempty"`
	DepartmentID *int64     `json:"department_id,omitempty"`
	Status       TaskStatus `json:"status"`
	// Recurrence is the stored rule (see Recurrence); "" for none.
	Recurrence string `json:"recurrence,omitempty"`
	// SeriesID is the first task of a recurring series; PreviousID the
	// occurrence whose completion made this one.
	SeriesID   *int64 `json:"series_id,omitempty"`
	PreviousID *int64 `json:"previous_id,omitempty"`
	// SourceType and SourceID name the timeline record the task follows
	// up on, such as interaction 42 (see Source).
	SourceType  string     `json:"source_type,omitempty"`
	SourceID    *int64     `json:"source_id,omitempty"`
	CreatedBy   *int64     `json:"created_by,omitempty"`
	CompletedBy *int64     `json:"completed_by,omitempty"`
	CompletedAt *time.Time `json:"completed_at,omitempty"`
	RemindedAt  *time.Time `json:"reminded_at,omitempty"`
	Version     int64      `json:"version"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	DeletedAt   *time.Time `json:"deleted_at,omitempty"`
	// Names for display, filled by Task and the lists.
	ContactName    string `json:"contact_name,omitempty" gorm:"-"`
	AssigneeName   string `json:"assignee_name,omitempty" gorm:"-"`
	DepartmentName string `json:"department_name,omitempty" gorm:"-"`
}

// Source is the timeline record the task follows up on, or nil.
func (t *Task) Source() *TimelineRef {
	if t.SourceType == "" || t.SourceID == nil {
		return nil
	}
	return &TimelineRef{Type: t.SourceType, ID: *t.SourceID}
}

// Rule returns the task's recurrence; the zero Recurrence when it has none.
func (t *Task) Rule() Recurrence {
	r, _ := ParseRecurrence(t.Recurrence)
	return r
}

// utc normalises the times read back (SQLite returns them with a zero
// offset zone, not UTC).
func (t *Task) utc() {
	for _, p := range []**time.Time{&t.DueAt, &t.CompletedAt, &t.RemindedAt, &t.DeletedAt} {
		if *p != nil {
			u := (*p).UTC()
			*p = &u
		}
	}
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
}

// TaskAssignee is who a task is for: a person (UserID) or a department's
// queue (DepartmentID), exactly one.
type TaskAssignee struct {
	UserID       int64 `json:"user_id,omitempty"`
	DepartmentID int64 `json:"department_id,omitempty"`
}

// TaskRequest carries the fields of a new task.
type TaskRequest struct {
	ContactID int64  `json:"contact_id"`
	CompanyID *int64 `json:"company_id,omitempty"`
	Title     string `json:"title"`
	Notes     string `json:"notes,omitempty"`
	// DueAt is nil for someday. Parsing what a person typed, in their
	// time zone, is the caller's work; this is the instant.
	DueAt    *time.Time   `json:"due_at,omitempty"`
	Priority TaskPriority `json:"priority,omitempty"` // normal when empty
	// Assignee defaults to the acting person.
	Assignee   *TaskAssignee `json:"assignee,omitempty"`
	Recurrence *Recurrence   `json:"recurrence,omitempty"`
	// Source is the timeline record to follow up on ("follow up on this
	// call"); it must be on the contact's timeline, visible to the actor.
	Source *TimelineRef `json:"source,omitempty"`
}

// TaskPatch changes the fields it sets and leaves nil ones alone. Version
// is the version the change was made against; UpdateTask refuses a stale
// one.
type TaskPatch struct {
	Version  int64         `json:"version"`
	Title    *string       `json:"title,omitempty"`
	Notes    *string       `json:"notes,omitempty"`
	DueAt    *time.Time    `json:"due_at,omitempty"`
	ClearDue bool          `json:"clear_due,omitempty"` // make it someday
	Priority *TaskPriority `json:"priority,omitempty"`
	// Assignee reassigns the task; claiming a queued task is reassigning
	// it to oneself.
	Assignee *TaskAssignee `json:"assignee,omitempty"`
	// Status completes (done), cancels or reopens (open) the task.
	// Completing a recurring task creates its next occurrence.
	Status *TaskStatus `json:"status,omitempty"`
	// Recurrence changes the rule; the zero Recurrence stops repeating.
	Recurrence *Recurrence `json:"recurrence,omitempty"`
}

// visibleTasks limits a task query to live tasks on contacts the actor may
// see. The query must join contacts (joinTaskContacts).
func visibleTasks(actor Actor) func(*gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB {
		return q.Where("tasks.deleted_at IS NULL").Scopes(visibleContacts(actor))
	}
}

const joinTaskContacts = "JOIN contacts ON contacts.id = tasks.contact_id"

// CreateTask validates req and saves the task with its timeline item and
// audit event, in one transaction. A contact the actor may not see, or one
// merged away or deleted, is ErrNotFound.
func (db *DB) CreateTask(ctx context.Context, actor Actor, req TaskRequest) (*Task, error) {
	if !actor.CanWrite() {
		return nil, fmt.Errorf("models: create task: %w", ErrForbidden)
	}
	t := now()
	task := &Task{ContactID: req.ContactID, Title: cleanLine(req.Title), Notes: strings.TrimSpace(req.Notes),
		Priority: req.Priority, Status: TaskOpen, Version: 1, CreatedAt: t, UpdatedAt: t}
	var v ValidationError
	checkTaskText(task, &v)
	if task.Priority == "" {
		task.Priority = PriorityNormal
	} else if !task.Priority.Valid() {
		v.Add("priority", "Choose low, normal or high.")
	}
	if req.DueAt != nil {
		d := req.DueAt.UTC().Truncate(time.Microsecond)
		checkTime(&v, "due_at", d)
		task.DueAt = &d
	}
	if r := req.Recurrence; r != nil && !r.IsZero() {
		r.check(&v)
		switch {
		case task.DueAt == nil:
			v.Add("due_at", "Choose the first due date of a repeating task.")
		case task.DueAt.Before(t):
			v.Add("due_at", "The first due date of a repeating task is in the past. Choose today or a later date.")
		}
		task.Recurrence = r.String()
	}
	if actor.UserID != 0 {
		task.CreatedBy = &actor.UserID
	}
	assignee := req.Assignee
	if assignee == nil {
		if actor.UserID == 0 {
			v.Add("assignee", "Choose who the task is for.")
		} else {
			assignee = &TaskAssignee{UserID: actor.UserID}
		}
	}
	if err := v.OrNil(); err != nil {
		return nil, err
	}
	err := db.Tx(ctx, func(tx *DB) error {
		contact, err := tx.taskContact(ctx, actor, req.ContactID)
		if err != nil {
			return err
		}
		if req.CompanyID != nil && *req.CompanyID != 0 {
			if _, err := tx.Company(ctx, actor, *req.CompanyID); err != nil {
				return err
			}
			task.CompanyID = req.CompanyID
		}
		if err := tx.checkAssignee(ctx, *assignee, contact, &v); err != nil {
			return err
		}
		task.AssigneeID, task.DepartmentID = assigneeColumns(*assignee)
		if s := req.Source; s != nil {
			if err := tx.checkTaskSource(ctx, actor, contact.ID, *s, &v); err != nil {
				return err
			}
			task.SourceType, task.SourceID = s.Type, &s.ID
		}
		if err := v.OrNil(); err != nil {
			return err
		}
		if err := tx.with(ctx).Create(task).Error; err != nil {
			return fmt.Errorf("models: create task: %w", err)
		}
		if task.Recurrence != "" {
			task.SeriesID = &task.ID
			if err := tx.with(ctx).Model(&Task{}).Where("id = ?", task.ID).Update("series_id", task.ID).Error; err != nil {
				return fmt.Errorf("models: create task: start series: %w", err)
			}
		}
		if err := tx.addTaskToTimeline(ctx, actor, task); err != nil {
			return err
		}
		return tx.Audit(ctx, AuditEntry{Actor: &actor, Action: "task.create", SubjectType: "task", SubjectID: task.ID,
			Detail: taskAuditDetail(task)})
	})
	if err != nil {
		return nil, err
	}
	return db.Task(ctx, actor, task.ID)
}

// Task returns a task on a contact the actor may see, else ErrNotFound.
func (db *DB) Task(ctx context.Context, actor Actor, id int64) (*Task, error) {
	var t Task
	if err := db.with(ctx).Model(&Task{}).Select("tasks.*").Joins(joinTaskContacts).Scopes(visibleTasks(actor)).
		Where("tasks.id = ?", id).First(&t).Error; err != nil {
		return nil, notFound(err, fmt.Sprintf("task %d", id))
	}
	ts := []Task{t}
	if err := db.nameTasks(ctx, ts); err != nil {
		return nil, err
	}
	return &ts[0], nil
}

// UpdateTask applies patch to a task made against patch.Version, with the
// timeline and audit, in one transaction. A stale version answers a
// *ConflictError[Task] with the task as it now stands. Completing a
// recurring task creates its next occurrence in the same transaction;
// cancelling one ends the series. A change that changes nothing writes
// nothing.
func (db *DB) UpdateTask(ctx context.Context, actor Actor, id int64, patch TaskPatch) (*Task, error) {
	if !actor.CanWrite() {
		return nil, fmt.Errorf("models: update task %d: %w", id, ErrForbidden)
	}
	if patch.Version <= 0 {
		return nil, versionProblem()
	}
	err := db.Tx(ctx, func(tx *DB) error {
		if err := tx.lockRow(ctx, "tasks", id); err != nil {
			return err
		}
		old, err := tx.Task(ctx, actor, id)
		if err != nil {
			return err
		}
		if old.Version != patch.Version {
			return errStale
		}
		return tx.applyTaskPatch(ctx, actor, old, patch)
	})
	if errors.Is(err, errStale) {
		current, err := db.Task(ctx, actor, id)
		if err != nil {
			return nil, err
		}
		return nil, &ConflictError[Task]{Current: current}
	}
	if err != nil {
		return nil, err
	}
	return db.Task(ctx, actor, id)
}

// The audit actions of a task's change, one chosen by what changed, named
// here so each appears as a literal that TestAuditActionsListed can hold
// against AuditActions.
const (
	auditTaskUpdate   = "task.update"
	auditTaskComplete = "task.complete"
	auditTaskCancel   = "task.cancel"
	auditTaskReassign = "task.reassign"
)

// applyTaskPatch writes patch over old inside UpdateTask's transaction.
func (tx *DB) applyTaskPatch(ctx context.Context, actor Actor, old *Task, patch TaskPatch) error {
	task := *old
	var v ValidationError
	changes := map[string]any{}
	set := func(col string, val any) { changes[col] = val }
	if patch.Title != nil {
		task.Title = cleanLine(*patch.Title)
	}
	if patch.Notes != nil {
		task.Notes = strings.TrimSpace(*patch.Notes)
	}
	checkTaskText(&task, &v)
	if task.Title != old.Title {
		set("title", task.Title)
	}
	if task.Notes != old.Notes {
		set("notes", task.Notes)
	}
	if patch.Priority != nil && *patch.Priority != old.Priority {
		if !patch.Priority.Valid() {
			v.Add("priority", "Choose low, normal or high.")
		}
		task.Priority = *patch.Priority
		set("priority", task.Priority)
	}
	switch {
	case patch.ClearDue:
		task.DueAt = nil
	case patch.DueAt != nil:
		d := patch.DueAt.UTC().Truncate(time.Microsecond)
		checkTime(&v, "due_at", d)
		task.DueAt = &d
	}
	if !sameTime(task.DueAt, old.DueAt) {
		// A new due date deserves a new reminder.
		task.RemindedAt = nil
		set("due_at", task.DueAt)
		set("reminded_at", nil)
	}
	if patch.Recurrence != nil {
		r := *patch.Recurrence
		r.check(&v)
		if s := r.String(); s != old.Recurrence {
			task.Recurrence = s
			set("recurrence", s)
			// A new rule starts a new series anchored on this task.
			task.SeriesID = nil
			if s != "" {
				task.SeriesID = &task.ID
			}
			set("series_id", task.SeriesID)
		}
	}
	if task.Recurrence != "" && task.DueAt == nil {
		v.Add("due_at", "A repeating task needs a due date.")
	}
	reassigned := false
	if a := patch.Assignee; a != nil {
		user, dept := assigneeColumns(*a)
		if !sameID(user, old.AssigneeID) || !sameID(dept, old.DepartmentID) {
			contact, err := tx.taskContact(ctx, actor, old.ContactID)
			if err != nil {
				return err
			}
			if err := tx.checkAssignee(ctx, *a, contact, &v); err != nil {
				return err
			}
			task.AssigneeID, task.DepartmentID = user, dept
			set("assignee_id", user)
			set("department_id", dept)
			reassigned = true
		}
	}
	completed := false
	if s := patch.Status; s != nil && *s != old.Status {
		if !s.Valid() {
			v.Add("status", "Choose open, done or cancelled.")
		}
		task.Status = *s
		set("status", task.Status)
		switch task.Status {
		case TaskDone:
			at := now()
			task.CompletedAt, task.CompletedBy = &at, nil
			if actor.UserID != 0 {
				task.CompletedBy = &actor.UserID
			}
			completed = true
		default:
			task.CompletedAt, task.CompletedBy = nil, nil
		}
		set("completed_at", task.CompletedAt)
		set("completed_by", task.CompletedBy)
	}
	if err := v.OrNil(); err != nil {
		return err
	}
	if len(changes) == 0 {
		return nil
	}
	t := now()
	task.Version, task.UpdatedAt = old.Version+1, t
	set("version", task.Version)
	set("updated_at", t)
	if err := tx.with(ctx).Model(&Task{}).Where("id = ?", task.ID).Updates(changes).Error; err != nil {
		return fmt.Errorf("models: update task %d: %w", task.ID, err)
	}
	if err := tx.UpdateTimelineItems(ctx, actor, task.timelineEntry()); err != nil {
		return err
	}
	action, event := auditTaskUpdate, ""
	switch {
	case completed:
		action, event = auditTaskComplete, "completed"
	case task.Status == TaskCancelled && old.Status != TaskCancelled:
		action, event = auditTaskCancel, "cancelled"
	case reassigned:
		action, event = auditTaskReassign, "reassigned"
	}
	if event != "" {
		if err := tx.addTaskEvent(ctx, actor, &task, event); err != nil {
			return err
		}
	}
	detail := map[string]any{"changes": changedKeys(changes), "task": taskAuditDetail(&task)}
	if completed && task.Recurrence != "" {
		next, err := tx.nextOccurrence(ctx, actor, &task)
		switch {
		case err != nil:
			return err
		case next == nil:
			detail["series_ended"] = true // its next date is past LatestYear
		default:
			detail["next_task"] = next.ID
		}
	}
	return tx.Audit(ctx, AuditEntry{Actor: &actor, Action: action, SubjectType: "task", SubjectID: task.ID, Detail: detail})
}

// DeleteTask soft-deletes a task and takes it off the timeline.
func (db *DB) DeleteTask(ctx context.Context, actor Actor, id int64) error {
	if !actor.CanWrite() {
		return fmt.Errorf("models: delete task %d: %w", id, ErrForbidden)
	}
	return db.Tx(ctx, func(tx *DB) error {
		task, err := tx.Task(ctx, actor, id)
		if err != nil {
			return err
		}
		t := now()
		if err := tx.with(ctx).Model(&Task{}).Where("id = ?", id).
			Updates(map[string]any{"deleted_at": t, "updated_at": t, "version": gorm.Expr("version + 1")}).Error; err != nil {
			return fmt.Errorf("models: delete task %d: %w", id, err)
		}
		if err := tx.RemoveTimelineItems(ctx, actor, TimelineRef{Type: taskRefType, ID: id}); err != nil {
			return err
		}
		return tx.Audit(ctx, AuditEntry{Actor: &actor, Action: "task.delete", SubjectType: "task", SubjectID: id,
			Detail: taskAuditDetail(task)})
	})
}

// nextOccurrence creates the task that follows a completed recurring one:
// same contact, text, priority, assignee and rule, due at the series' next
// date after both the completed due date and now. When that date is past
// the last time Rapport can store (StorableTime) the series ends there and
// nextOccurrence answers nil: completing the task must still work, and a
// date that cannot be read back would break every list showing it.
func (tx *DB) nextOccurrence(ctx context.Context, actor Actor, done *Task) (*Task, error) {
	rule, err := ParseRecurrence(done.Recurrence)
	if err != nil {
		return nil, err
	}
	// Reopened and completed again: the next one exists already.
	var existing Task
	err = tx.with(ctx).Where("previous_id = ? AND deleted_at IS NULL", done.ID).Limit(1).Find(&existing).Error
	if err != nil {
		return nil, fmt.Errorf("models: next occurrence of task %d: %w", done.ID, err)
	}
	if existing.ID != 0 {
		return &existing, nil
	}
	anchor := *done.DueAt
	if done.SeriesID != nil && *done.SeriesID != done.ID {
		var first Task
		if err := tx.with(ctx).Select("id, due_at").Where("id = ?", *done.SeriesID).First(&first).Error; err == nil && first.DueAt != nil {
			anchor = *first.DueAt
		}
	}
	loc, err := tx.taskZone(ctx, done)
	if err != nil {
		return nil, err
	}
	t := now()
	due := rule.next(anchor, *done.DueAt, t, loc)
	if !StorableTime(due) {
		return nil, nil
	}
	next := &Task{ContactID: done.ContactID, CompanyID: done.CompanyID, Title: done.Title, Notes: done.Notes, DueAt: &due,
		Priority: done.Priority, AssigneeID: done.AssigneeID, DepartmentID: done.DepartmentID, Status: TaskOpen,
		Recurrence: done.Recurrence, SeriesID: done.SeriesID, PreviousID: &done.ID, CreatedBy: done.CreatedBy,
		Version: 1, CreatedAt: t, UpdatedAt: t}
	if next.SeriesID == nil {
		next.SeriesID = &done.ID
	}
	if err := tx.with(ctx).Create(next).Error; err != nil {
		return nil, fmt.Errorf("models: next occurrence of task %d: %w", done.ID, err)
	}
	if err := tx.addTaskToTimeline(ctx, actor, next); err != nil {
		return nil, err
	}
	return next, nil
}

// taskZone is the time zone a task's schedule follows: its assignee's,
// else its creator's, else UTC.
func (tx *DB) taskZone(ctx context.Context, t *Task) (*time.Location, error) {
	for _, id := range []*int64{t.AssigneeID, t.CreatedBy} {
		if id == nil {
			continue
		}
		var zone string
		if err := tx.with(ctx).Model(&User{}).Where("id = ?", *id).Select("time_zone").Scan(&zone).Error; err != nil {
			return nil, fmt.Errorf("models: time zone of user %d: %w", *id, err)
		}
		if loc, err := time.LoadLocation(zone); err == nil && zone != "" {
			return loc, nil
		}
	}
	return time.UTC, nil
}

// taskContact loads what task checks need of a contact the actor may see:
// live, not merged away. ErrNotFound otherwise.
func (tx *DB) taskContact(ctx context.Context, actor Actor, id int64) (*Contact, error) {
	var c Contact
	if err := tx.with(ctx).Model(&Contact{}).Scopes(visibleContacts(actor)).Where("contacts.id = ?", id).
		Select("contacts.id, contacts.restricted_department_id").First(&c).Error; err != nil {
		return nil, notFound(err, fmt.Sprintf("contact %d", id))
	}
	return &c, nil
}

// checkAssignee adds a problem to v when a cannot take a task on contact:
// a person must exist, be active, be allowed to write and see the contact;
// a department must exist and, for a restricted contact, be the one it is
// restricted to.
func (tx *DB) checkAssignee(ctx context.Context, a TaskAssignee, contact *Contact, v *ValidationError) error {
	if (a.UserID == 0) == (a.DepartmentID == 0) {
		v.Add("assignee", "Assign the task to a person or to a department's queue.")
		return nil
	}
	if a.DepartmentID != 0 {
		var n int64
		if err := tx.with(ctx).Model(&Department{}).Where("id = ?", a.DepartmentID).Count(&n).Error; err != nil {
			return fmt.Errorf("models: check department %d: %w", a.DepartmentID, err)
		}
		switch {
		case n == 0:
			v.Add("assignee", "Choose the department from the list.")
		case contact.RestrictedDepartmentID != nil && *contact.RestrictedDepartmentID != a.DepartmentID:
			v.Add("assignee", "Only the department this contact is restricted to can see it; assign the task to that department or one of its members.")
		}
		return nil
	}
	u, err := tx.UserByID(ctx, a.UserID)
	if errors.Is(err, ErrNotFound) {
		v.Add("assignee", "Choose the person from the list.")
		return nil
	}
	if err != nil {
		return err
	}
	switch {
	case u.DisabledAt != nil:
		v.Add("assignee", u.Name+" no longer has access to Rapport. Assign the task to someone else or to a department's queue.")
	case u.Role == RoleViewer:
		v.Add("assignee", u.Name+" can only view, not work on tasks. Assign the task to someone else.")
	case contact.RestrictedDepartmentID != nil && !u.HasDepartment(*contact.RestrictedDepartmentID):
		v.Add("assignee", u.Name+" cannot see this contact. Assign the task to someone in its department.")
	}
	return nil
}

func assigneeColumns(a TaskAssignee) (user, dept *int64) {
	if a.UserID != 0 {
		id := a.UserID
		user = &id
	}
	if a.DepartmentID != 0 {
		id := a.DepartmentID
		dept = &id
	}
	return user, dept
}

// checkTaskSource adds a problem to v unless ref is on the contact's
// timeline and visible to the actor.
func (tx *DB) checkTaskSource(ctx context.Context, actor Actor, contactID int64, ref TimelineRef, v *ValidationError) error {
	if !refTypePattern.MatchString(ref.Type) || ref.ID <= 0 {
		v.Add("source", "Name the timeline record to follow up on as a type and an id.")
		return nil
	}
	var n int64
	if err := tx.with(ctx).Model(&timelineRecord{}).Scopes(visibleTimelineItems(actor)).
		Where("timeline_items.ref_type = ? AND timeline_items.ref_id = ? AND timeline_items.contact_id = ?", ref.Type, ref.ID, contactID).
		Count(&n).Error; err != nil {
		return fmt.Errorf("models: check task source: %w", err)
	}
	if n == 0 {
		v.Add("source", "Choose something on this contact's timeline to follow up on.")
	}
	return nil
}

func checkTaskText(t *Task, v *ValidationError) {
	if t.Title == "" {
		v.Add("title", "Say in a few words what is to be done.")
	}
	checkLength(v, "title", "title", t.Title, maxTaskTitle)
	checkLength(v, "notes", "notes", t.Notes, maxTaskNotes)
}

// timelineEntry is the task's item on its contact's timeline, kept in step
// with the task.
func (t *Task) timelineEntry() TimelineEntry {
	summary := "Task: " + t.Title
	switch t.Status {
	case TaskDone:
		summary = "Task done: " + t.Title
	case TaskCancelled:
		summary = "Task cancelled: " + t.Title
	}
	return TimelineEntry{Kind: TimelineTask, ContactIDs: []int64{t.ContactID}, OccurredAt: t.CreatedAt,
		Ref: TimelineRef{Type: taskRefType, ID: t.ID}, Summary: shorten(summary, maxTimelineSummary), Data: taskItemData(t)}
}

func taskItemData(t *Task) map[string]any {
	d := map[string]any{"title": t.Title, "status": t.Status, "priority": t.Priority, "version": t.Version}
	if t.DueAt != nil {
		d["due_at"] = t.DueAt.Format(time.RFC3339)
	}
	if t.AssigneeID != nil {
		d["assignee_id"] = *t.AssigneeID
	}
	if t.DepartmentID != nil {
		d["department_id"] = *t.DepartmentID
	}
	if t.Recurrence != "" {
		d["recurrence"] = t.Recurrence
	}
	if s := t.Source(); s != nil {
		d["source"] = s
	}
	return d
}

func (tx *DB) addTaskToTimeline(ctx context.Context, actor Actor, t *Task) error {
	e := t.timelineEntry()
	e.OccurredAt = time.Time{}
	return tx.AddTimelineItem(ctx, actor, e)
}

// addTaskEvent writes a completion, cancellation or reassignment to the
// contact's timeline, credited to whoever did it. These items have no ref:
// a task is done or passed on more than once over its life, and the ref
// index allows one live item per record and contact.
func (tx *DB) addTaskEvent(ctx context.Context, actor Actor, t *Task, event string) error {
	var summary string
	switch {
	case event == "completed":
		summary = "Completed task: " + t.Title
	case event == "cancelled":
		summary = "Cancelled task: " + t.Title
	case t.AssigneeID != nil && *t.AssigneeID == actor.UserID:
		summary = "Took task: " + t.Title
	default:
		users, depts, err := tx.namesOf(ctx, idsOf(t.AssigneeID), idsOf(t.DepartmentID))
		if err != nil {
			return err
		}
		to := ""
		if t.AssigneeID != nil {
			to = users[*t.AssigneeID]
		} else {
			to = depts[*t.DepartmentID] + " queue"
		}
		summary = "Passed task to " + to + ": " + t.Title
	}
	data := taskItemData(t)
	data["task_id"], data["event"] = t.ID, event
	return tx.AddTimelineItem(ctx, actor, TimelineEntry{Kind: TimelineTask, ContactIDs: []int64{t.ContactID},
		Summary: shorten(summary, maxTimelineSummary), Data: data})
}

// nameTasks fills the display names of ts.
func (db *DB) nameTasks(ctx context.Context, ts []Task) error {
	var userIDs, deptIDs, contactIDs []int64
	for i := range ts {
		ts[i].utc()
		contactIDs = append(contactIDs, ts[i].ContactID)
		userIDs = append(userIDs, idsOf(ts[i].AssigneeID)...)
		deptIDs = append(deptIDs, idsOf(ts[i].DepartmentID)...)
	}
	users, depts, err := db.namesOf(ctx, userIDs, deptIDs)
	if err != nil {
		return err
	}
	contacts, _, err := db.subjectNames(ctx, contactIDs, nil)
	if err != nil {
		return err
	}
	for i := range ts {
		t := &ts[i]
		t.ContactName = contacts[t.ContactID]
		if t.AssigneeID != nil {
			t.AssigneeName = users[*t.AssigneeID]
		}
		if t.DepartmentID != nil {
			t.DepartmentName = depts[*t.DepartmentID]
		}
	}
	return nil
}

func taskAuditDetail(t *Task) map[string]any {
	d := taskItemData(t)
	d["contact_id"] = t.ContactID
	return d
}

func idsOf(ids ...*int64) []int64 {
	var out []int64
	for _, id := range ids {
		if id != nil {
			out = append(out, *id)
		}
	}
	return out
}

func sameID(a, b *int64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func sameTime(a, b *time.Time) bool { return (a == nil) == (b == nil) && (a == nil || a.Equal(*b)) }

func changedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		if k != "version" && k != "updated_at" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}
