package app

import (
	"time"

	"rapport/models"
)

// The notes API's shapes, mapped field by field from the models so the
// API's contract is written down here.

// apiNote is a note or a reply.
type apiNote struct {
	ID        int64  `json:"id"`
	Version   int64  `json:"version"`
	ContactID *int64 `json:"contact_id"`
	CompanyID *int64 `json:"company_id"`
	ParentID  *int64 `json:"parent_id"`
	// Body is Markdown; BodyHTML is it rendered and sanitised.
	Body                   string     `json:"body"`
	BodyHTML               string     `json:"body_html"`
	Visibility             string     `json:"visibility"`
	RestrictedDepartmentID *int64     `json:"restricted_department_id"`
	NeedsReply             bool       `json:"needs_reply"`
	Open                   bool       `json:"open"`
	RepliedAt              *time.Time `json:"replied_at"`
	RepliedBy              *int64     `json:"replied_by"`
	AuthorID               *int64     `json:"author_id"`
	AuthorName             string     `json:"author_name"`
	DepartmentID           *int64     `json:"department_id"`
	DepartmentName         string     `json:"department_name"`
	CreatedAt              time.Time  `json:"created_at"`
	UpdatedAt              time.Time  `json:"updated_at"`
}

// noteReadOnly are the members of a note that requests may not set.
var noteReadOnly = []string{"id", "contact_id", "company_id", "parent_id", "body_html", "restricted_department_id",
	"open", "replied_at", "replied_by", "author_id", "author_name", "department_id", "department_name", "created_at", "updated_at"}

func noteJSON(n *models.Note) apiNote {
	return apiNote{ID: n.ID, Version: n.Version, ContactID: n.ContactID, CompanyID: n.CompanyID, ParentID: n.ParentID,
		Body: n.Body, BodyHTML: string(models.RenderMarkdown(n.Body)), Visibility: string(n.Visibility()),
		RestrictedDepartmentID: n.RestrictedDepartmentID, NeedsReply: n.NeedsReply, Open: n.Open(),
		RepliedAt: utcTime(n.RepliedAt), RepliedBy: n.RepliedBy, AuthorID: n.AuthorID, AuthorName: n.AuthorName,
		DepartmentID: n.AuthorDepartmentID, DepartmentName: n.AuthorDepartmentName,
		CreatedAt: n.CreatedAt.UTC(), UpdatedAt: n.UpdatedAt.UTC()}
}

// apiNotePage is a page of notes.
type apiNotePage struct {
	Items      []apiNote `json:"items"`
	NextCursor *string   `json:"next_cursor"`
}

// apiNoteList is a list that is not paged (replies).
type apiNoteList struct {
	Items []apiNote `json:"items"`
}

// apiNoteSearchResult is a note found by search, with its subject's name.
type apiNoteSearchResult struct {
	apiNote
	SubjectName string `json:"subject_name"`
}

type apiNoteSearchPage struct {
	Items      []apiNoteSearchResult `json:"items"`
	NextCursor *string               `json:"next_cursor"`
}

// apiNoteRevision is one save of a note.
type apiNoteRevision struct {
	Version                int64     `json:"version"`
	Body                   string    `json:"body"`
	Visibility             string    `json:"visibility"`
	RestrictedDepartmentID *int64    `json:"restricted_department_id"`
	AuthorID               *int64    `json:"author_id"`
	AuthorName             string    `json:"author_name"`
	DepartmentID           *int64    `json:"department_id"`
	DepartmentName         string    `json:"department_name"`
	CreatedAt              time.Time `json:"created_at"`
}

type apiNoteRevisionList struct {
	Items []apiNoteRevision `json:"items"`
}

func noteRevisionJSON(r *models.NoteRevision) apiNoteRevision {
	vis := models.NoteEveryone
	if r.RestrictedDepartmentID != nil {
		vis = models.NoteDepartment
	}
	return apiNoteRevision{Version: r.Version, Body: r.Body, Visibility: string(vis), RestrictedDepartmentID: r.RestrictedDepartmentID,
		AuthorID: r.AuthorID, AuthorName: r.AuthorName, DepartmentID: r.DepartmentID, DepartmentName: r.DepartmentName,
		CreatedAt: r.CreatedAt.UTC()}
}

// apiKeyFacts is a contact's pinned text; version 0 when never saved.
type apiKeyFacts struct {
	ContactID      int64      `json:"contact_id"`
	Body           string     `json:"body"`
	BodyHTML       string     `json:"body_html"`
	Version        int64      `json:"version"`
	UpdatedBy      *int64     `json:"updated_by"`
	UpdatedByName  string     `json:"updated_by_name"`
	DepartmentID   *int64     `json:"department_id"`
	DepartmentName string     `json:"department_name"`
	UpdatedAt      *time.Time `json:"updated_at"`
}

func keyFactsJSON(k *models.KeyFacts) apiKeyFacts {
	out := apiKeyFacts{ContactID: k.ContactID, Body: k.Body, BodyHTML: string(models.RenderMarkdown(k.Body)), Version: k.Version,
		UpdatedBy: k.UpdatedBy, UpdatedByName: k.UpdatedByName, DepartmentID: k.DepartmentID, DepartmentName: k.DepartmentName}
	if k.Version > 0 {
		t := k.UpdatedAt.UTC()
		out.UpdatedAt = &t
	}
	return out
}

// apiNotification tells the user about a note.
type apiNotification struct {
	ID     int64  `json:"id"`
	Kind   string `json:"kind"`
	NoteID *int64 `json:"note_id"` // null on a task reminder
	// TaskID is set on a task reminder (kind task_due), whose excerpt is the
	// task's title.
	TaskID      *int64     `json:"task_id"`
	ContactID   *int64     `json:"contact_id"`
	CompanyID   *int64     `json:"company_id"`
	SubjectName string     `json:"subject_name"`
	ActorID     *int64     `json:"actor_id"`
	ActorName   string     `json:"actor_name"`
	Excerpt     string     `json:"excerpt"`
	CreatedAt   time.Time  `json:"created_at"`
	ReadAt      *time.Time `json:"read_at"`
}

type apiNotificationPage struct {
	Items      []apiNotification `json:"items"`
	NextCursor *string           `json:"next_cursor"`
}

func notificationJSON(n *models.Notification) apiNotification {
	out := apiNotification{ID: n.ID, Kind: string(n.Kind), ContactID: n.ContactID, CompanyID: n.CompanyID,
		SubjectName: n.SubjectName, ActorID: n.ActorID, ActorName: n.ActorName, Excerpt: n.Excerpt,
		CreatedAt: n.CreatedAt.UTC(), ReadAt: utcTime(n.ReadAt)}
	if n.TaskID != 0 {
		out.TaskID, out.Excerpt = &n.TaskID, n.TaskTitle
	} else {
		out.NoteID = &n.NoteID
	}
	return out
}

func nextCursor(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
