// Package notes renders notes, their threads and history, a contact's key
// facts, note search and notifications. The fragments (Section, Item,
// KeyFactsCard) are also htmx swap targets: each answer replaces the
// element it was asked from.
package notes

import (
	"net/url"
	"strconv"
	"time"

	"rapport/models"
)

// Subject is what notes are written on: a contact or a company.
type Subject struct {
	Kind string // "contact" or "company"
	ID   int64
	Name string
}

// NotesURL is where the subject's notes are posted.
func (s Subject) NotesURL() string { return s.pageURL() + "/notes" }

func (s Subject) pageURL() string {
	if s.Kind == "company" {
		return "/companies/" + itoa(s.ID)
	}
	return "/contacts/" + itoa(s.ID)
}

// SubjectURL is the page that shows a note: its contact's page, or its
// company's notes.
func SubjectURL(n *models.Note) string {
	switch {
	case n.ContactID != nil:
		return "/contacts/" + itoa(*n.ContactID) + "#note-" + itoa(n.ID)
	case n.CompanyID != nil:
		return "/companies/" + itoa(*n.CompanyID) + "/notes#note-" + itoa(n.ID)
	}
	return "/"
}

// Composer is the new-note form as typed, with its errors.
type Composer struct {
	Body       string
	Visibility string
	NeedsReply bool
	Errors     map[string]string
	Saved      bool
}

// ListData is the notes section of a contact or company.
type ListData struct {
	Subject    Subject
	Notes      []View
	NextCursor string
	CanWrite   bool
	// InDepartment: the viewer belongs to a department, so may restrict
	// a note to it.
	InDepartment bool
	Composer     Composer
	Location     *time.Location
}

// View is one note as the page shows it: read, or being edited, or
// after a refused save.
type View struct {
	Note     models.Note
	Replies  []models.Note
	CanWrite bool
	Location *time.Location
	// Editing shows the edit form with Draft, made against Version.
	Editing bool
	Draft   string
	Version int64
	Error   string
	// Conflict is the note as someone else saved it meanwhile; Diff goes
	// from it to Draft.
	Conflict *models.Note
	// ConflictBy is the revision that made Conflict: who saved it, and
	// for which department.
	ConflictBy *models.NoteRevision
	Diff       []models.DiffLine
	ReplyDraft string
	ReplyError string
}

// KeyFactsData is the key facts card: read, being edited, or after a
// refused save.
type KeyFactsData struct {
	ContactID int64
	Facts     *models.KeyFacts
	CanWrite  bool
	Location  *time.Location
	Editing   bool
	Draft     string
	Version   int64
	Error     string
	Conflict  *models.KeyFacts
	Diff      []models.DiffLine
}

// HistoryData is a note's revisions, with a diff between two of them.
type HistoryData struct {
	Note      models.Note
	Revisions []models.NoteRevision
	From, To  int64
	Diff      []models.DiffLine
	CanWrite  bool
	Location  *time.Location
}

// KeyFactsHistoryData is every save of a contact's key facts.
type KeyFactsHistoryData struct {
	Contact   *models.Contact
	Revisions []models.KeyFactsRevision
	Location  *time.Location
}

// CompanyNotesData is a company's notes page.
type CompanyNotesData struct {
	Company *models.Company
	List    ListData
}

// SearchData is the note search page.
type SearchData struct {
	Query      string
	Results    []models.NoteSearchResult
	NextCursor string
	Error      string
	Location   *time.Location
}

// NotificationsData is the notifications page, on the "all" or
// "mentions" tab.
type NotificationsData struct {
	Tab           string
	Notifications []models.Notification
	NextCursor    string
	Unread        int64
	Location      *time.Location
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func when(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2 Jan 2006 15:04")
}

func isoTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// attribution is "author · department", what a note or revision shows of
// who wrote it.
func attribution(name, dept string) string {
	if name == "" {
		name = "Someone"
	}
	if dept != "" {
		return name + " · " + dept
	}
	return name
}

// restrictedLabel is the badge a department-only note carries.
func restrictedLabel(n *models.Note) string {
	if n.AuthorDepartmentName != "" {
		return n.AuthorDepartmentName + " only"
	}
	return "Department only"
}

// conflictBy names who saved the version that refused the person's save.
func conflictBy(v View) string {
	if r := v.ConflictBy; r != nil {
		return attribution(r.AuthorName, r.DepartmentName)
	}
	return "Someone else"
}

func diffClass(l models.DiffLine) string { return "diff-" + string(l.Op) }

func diffMark(l models.DiffLine) string {
	switch l.Op {
	case models.DiffInsert:
		return "+ "
	case models.DiffDelete:
		return "− "
	}
	return "  "
}

func kindLabel(k models.NotificationKind) string {
	if k == models.NotificationReply {
		return "replied to your note"
	}
	return "mentioned you"
}

func notificationURL(n models.Notification) string {
	switch {
	case n.TaskID != 0 && n.ContactID != nil:
		return "/contacts/" + itoa(*n.ContactID) + "/tasks#task-" + itoa(n.TaskID)
	case n.ContactID != nil:
		return "/contacts/" + itoa(*n.ContactID) + "#note-" + itoa(n.NoteID)
	case n.CompanyID != nil:
		return "/companies/" + itoa(*n.CompanyID) + "/notes#note-" + itoa(n.NoteID)
	}
	return "/notifications"
}

func searchResultURL(r models.NoteSearchResult) string {
	n := r.Note
	if n.ParentID != nil {
		// A reply is shown in its note's thread.
		n.ID = *n.ParentID
	}
	return SubjectURL(&n)
}

func (d HistoryData) isCurrent(r models.NoteRevision) bool { return r.Version == d.Note.Version }

func invalid(msg string) string {
	if msg != "" {
		return "true"
	}
	return "false"
}

func current(on bool) string {
	if on {
		return "page"
	}
	return ""
}

func queryEscape(s string) string { return url.QueryEscape(s) }
