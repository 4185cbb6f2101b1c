package models

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
)

// NotificationKind says why someone is notified.
type NotificationKind string

// Notification kinds.
const (
	// NotificationMention: a note mentions the person or their department.
	NotificationMention NotificationKind = "mention"
	// NotificationReply: someone replied to the person's note.
	NotificationReply NotificationKind = "reply"
)

// Notification tells a person about a note, or that a task fell due
// (NoteID 0, TaskID set). It is shown only while the person may see the
// note or task: a note restricted later, or a contact moved out of their
// reach, takes its notifications with it.
type Notification struct {
	ID     int64            `json:"id"`
	UserID int64            `json:"-"`
	Kind   NotificationKind `json:"kind"`
	NoteID int64            `json:"note_id"`
	// TaskID and TaskTitle are set on task reminders (NotificationTaskDue).
	TaskID    int64  `json:"task_id,omitempty"`
	TaskTitle string `json:"task_title,omitempty"`
	// ContactID and CompanyID are the note's subject as it now stands (a
	// merge may have moved it).
	ContactID   *int64     `json:"contact_id,omitempty"`
	CompanyID   *int64     `json:"company_id,omitempty"`
	ActorID     *int64     `json:"actor_id,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	ReadAt      *time.Time `json:"read_at,omitempty"`
	ActorName   string     `json:"actor_name,omitempty" gorm:"-"`
	SubjectName string     `json:"subject_name,omitempty" gorm:"-"`
	Excerpt     string     `json:"excerpt" gorm:"-"`
}

// notificationRecord is a row of notifications as stored.
type notificationRecord struct {
	ID        int64
	UserID    int64
	Kind      NotificationKind
	NoteID    *int64 // exactly one of NoteID and TaskID is set
	TaskID    *int64
	ContactID *int64
	CompanyID *int64
	ActorID   *int64
	CreatedAt time.Time
	ReadAt    *time.Time
}

func (notificationRecord) TableName() string { return "notifications" }

// NotificationPage is one page of notifications, newest first.
type NotificationPage struct {
	Notifications []Notification `json:"notifications"`
	NextCursor    string         `json:"next_cursor,omitempty"`
}

var notificationOrder = keyset[Notification]{column: "notifications.created_at", idColumn: "notifications.id",
	desc: true, isTime: true,
	value: func(n *Notification) any { return n.CreatedAt }, rowID: func(n *Notification) int64 { return n.ID }}

// notify tells each of userIDs who may see n about it, once per kind and
// note whatever the number of saves, never the actor themself.
func (db *DB) notify(ctx context.Context, actor Actor, kind NotificationKind, n *Note, userIDs []int64) error {
	userIDs = slices.DeleteFunc(slices.Clone(userIDs), func(id int64) bool { return id == actor.UserID })
	if len(userIDs) == 0 {
		return nil
	}
	// Whoever is notified must be able to see the note: in its department
	// when it is restricted, and in the contact's when that is.
	required := []int64{}
	if n.RestrictedDepartmentID != nil {
		required = append(required, *n.RestrictedDepartmentID)
	}
	if n.ContactID != nil {
		var restricted *int64
		if err := db.with(ctx).Model(&Contact{}).Where("id = ?", *n.ContactID).
			Select("restricted_department_id").Scan(&restricted).Error; err != nil {
			return fmt.Errorf("models: notify: contact %d: %w", *n.ContactID, err)
		}
		if restricted != nil {
			required = append(required, *restricted)
		}
	}
	q := db.with(ctx).Table("users").Where("id IN ? AND disabled_at IS NULL", userIDs)
	for _, d := range uniqueIDs(required) {
		q = q.Where("EXISTS (SELECT 1 FROM user_departments ud WHERE ud.user_id = users.id AND ud.department_id = ?)", d)
	}
	var allowed []int64
	if err := q.Order("id").Pluck("id", &allowed).Error; err != nil {
		return fmt.Errorf("models: notify: recipients: %w", err)
	}
	if len(allowed) == 0 {
		return nil
	}
	t := now()
	rows := make([]notificationRecord, len(allowed))
	for i, id := range allowed {
		rows[i] = notificationRecord{UserID: id, Kind: kind, NoteID: &n.ID, ContactID: n.ContactID, CompanyID: n.CompanyID, CreatedAt: t}
		if actor.UserID != 0 {
			rows[i].ActorID = &actor.UserID
		}
	}
	if err := db.with(ctx).Clauses(onConflictIgnore).Create(&rows).Error; err != nil {
		return fmt.Errorf("models: notify about note %d: %w", n.ID, err)
	}
	return nil
}

// Notifications lists the actor's notifications about notes and tasks they
// may see, newest first; unreadOnly keeps those not marked read.
func (db *DB) Notifications(ctx context.Context, actor Actor, unreadOnly bool, cursor string, limit int) (*NotificationPage, error) {
	limit = clampLimit(limit, 50, 200)
	about := db.notificationQueries(ctx, actor, unreadOnly)
	about.notes = about.notes.Select("notifications.id, notifications.kind, notifications.note_id, CAST(0 AS BIGINT) AS task_id, " +
		"notes.contact_id, notes.company_id, notifications.actor_id, notifications.created_at, notifications.read_at, " +
		"notes.body AS note_body, CAST('' AS TEXT) AS task_title")
	about.tasks = about.tasks.Select("notifications.id, notifications.kind, CAST(0 AS BIGINT) AS note_id, notifications.task_id, " +
		"tasks.contact_id, CAST(NULL AS BIGINT) AS company_id, notifications.actor_id, notifications.created_at, notifications.read_at, " +
		"CAST('' AS TEXT) AS note_body, tasks.title AS task_title")
	// Each half is read newest first up to a page by its own index range,
	// then the two are merged: at most two pages of rows, whatever the
	// history. (SQLite allows no ORDER BY inside a UNION's arms, hence the
	// wrapping selects.)
	var halves []any
	for _, q := range []*gorm.DB{about.notes, about.tasks} {
		q, err := notificationOrder.after(q, "notifications", cursor)
		if err != nil {
			return nil, cursorProblem()
		}
		halves = append(halves, q.Order(notificationOrder.orderBy()).Limit(limit+1))
	}
	var rows []struct {
		Notification
		NoteBody string
	}
	if err := db.with(ctx).Raw("SELECT * FROM (SELECT * FROM (?) AS about_notes UNION ALL SELECT * FROM (?) AS about_tasks) AS n "+
		"ORDER BY n.created_at DESC, n.id DESC LIMIT ?", append(halves, limit+1)...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("models: notifications: %w", err)
	}
	page := &NotificationPage{Notifications: make([]Notification, 0, min(len(rows), limit))}
	var actorIDs, contactIDs, companyIDs []int64
	for i, r := range rows {
		if i == limit {
			page.NextCursor = notificationOrder.cursor("notifications", &page.Notifications[limit-1])
			break
		}
		n := r.Notification
		n.UserID, n.Excerpt = actor.UserID, shorten(r.NoteBody, maxNoteExcerpt)
		n.CreatedAt = n.CreatedAt.UTC()
		if n.ActorID != nil {
			actorIDs = append(actorIDs, *n.ActorID)
		}
		if n.ContactID != nil {
			contactIDs = append(contactIDs, *n.ContactID)
		}
		if n.CompanyID != nil {
			companyIDs = append(companyIDs, *n.CompanyID)
		}
		page.Notifications = append(page.Notifications, n)
	}
	users, _, err := db.namesOf(ctx, actorIDs, nil)
	if err != nil {
		return nil, err
	}
	contacts, companies, err := db.subjectNames(ctx, contactIDs, companyIDs)
	if err != nil {
		return nil, err
	}
	for i := range page.Notifications {
		n := &page.Notifications[i]
		if n.ActorID != nil {
			n.ActorName = users[*n.ActorID]
		}
		if n.ContactID != nil {
			n.SubjectName = contacts[*n.ContactID]
		} else if n.CompanyID != nil {
			n.SubjectName = companies[*n.CompanyID]
		}
	}
	return page, nil
}

// UnreadCount counts the actor's unread notifications about notes and tasks
// they may see, for the badge: at most NavCountCap, since the navigation
// reads it on every page.
func (db *DB) UnreadCount(ctx context.Context, actor Actor) (int64, error) {
	about := db.notificationQueries(ctx, actor, true)
	var n int64
	if err := db.with(ctx).Raw("SELECT (SELECT COUNT(*) FROM (?) AS about_notes) + (SELECT COUNT(*) FROM (?) AS about_tasks)",
		about.notes.Select("1").Limit(NavCountCap), about.tasks.Select("1").Limit(NavCountCap)).Scan(&n).Error; err != nil {
		return 0, fmt.Errorf("models: count unread notifications: %w", err)
	}
	return min(n, NavCountCap), nil
}

// maxMarkRead bounds the ids one MarkRead names: a page lists far fewer,
// and each is a bound parameter (SQLite takes 32,766 a statement).
const maxMarkRead = 1000

// MarkRead marks the actor's notifications with the given ids read, or all
// of them when ids is empty. Others' notifications are left alone.
func (db *DB) MarkRead(ctx context.Context, actor Actor, ids []int64) error {
	if actor.UserID == 0 {
		return nil
	}
	if len(ids) > maxMarkRead {
		return &ValidationError{Fields: map[string]string{"ids": fmt.Sprintf("Name at most %d notifications at once, or none to mark them all read.", maxMarkRead)}}
	}
	q := db.with(ctx).Model(&notificationRecord{}).Where("user_id = ? AND read_at IS NULL", actor.UserID)
	if len(ids) > 0 {
		q = q.Where("id IN ?", ids)
	}
	if err := q.Update("read_at", now()).Error; err != nil {
		return fmt.Errorf("models: mark notifications read: %w", err)
	}
	return nil
}

// notificationQueries select the actor's notifications about notes they
// may see and about tasks they may see. Each is a join by primary key, so it
// reads the user's notifications by index and probes one note or task per
// row. One query OR-ing an EXISTS on each let Postgres hash every visible
// task instead (220 ms at 200,000 tasks, against a few index probes).
func (db *DB) notificationQueries(ctx context.Context, actor Actor, unreadOnly bool) (about struct{ notes, tasks *gorm.DB }) {
	about.notes = db.with(ctx).Table("notifications").Joins("JOIN notes ON notes.id = notifications.note_id").
		Where("notifications.user_id = ?", actor.UserID).Scopes(visibleNotes(actor))
	about.tasks = db.with(ctx).Table("notifications").Joins("JOIN tasks ON tasks.id = notifications.task_id").
		Joins(joinTaskContacts).Where("notifications.user_id = ?", actor.UserID).Scopes(visibleTasks(actor))
	if unreadOnly {
		about.notes = about.notes.Where("notifications.read_at IS NULL")
		about.tasks = about.tasks.Where("notifications.read_at IS NULL")
	}
	return about
}

// subjectNames maps contact and company ids to the names they are shown
// by.
func (db *DB) subjectNames(ctx context.Context, contactIDs, companyIDs []int64) (contacts, companies map[int64]string, err error) {
	contacts, companies = map[int64]string{}, map[int64]string{}
	if ids := uniqueIDs(contactIDs); len(ids) > 0 {
		var cs []Contact
		if err := db.with(ctx).Scopes(withNameLists).Where("id IN ?", ids).Find(&cs).Error; err != nil {
			return nil, nil, fmt.Errorf("models: names of contacts: %w", err)
		}
		for i := range cs {
			contacts[cs[i].ID] = cs[i].Name()
		}
	}
	if ids := uniqueIDs(companyIDs); len(ids) > 0 {
		var cos []Company
		if err := db.with(ctx).Where("id IN ?", ids).Find(&cos).Error; err != nil {
			return nil, nil, fmt.Errorf("models: names of companies: %w", err)
		}
		for _, co := range cos {
			companies[co.ID] = co.Name
		}
	}
	return contacts, companies, nil
}
