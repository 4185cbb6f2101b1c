package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Notes are what people across departments write about a contact or a
// company, in Markdown. A note is shared with everyone who may see its
// subject, or restricted to its author's department; a restricted note is
// invisible to everyone else in every query (lists, search, timelines,
// counts, notifications), admins included. Every save is a revision, and a
// save made against a stale version is refused with the current note, so
// two people never silently overwrite each other.

// NoteVisibility says who sees a note besides its author.
type NoteVisibility string

// Note visibilities.
const (
	// NoteEveryone: whoever may see the contact or company.
	NoteEveryone NoteVisibility = "everyone"
	// NoteDepartment: only members of the author's department.
	NoteDepartment NoteVisibility = "department"
)

// Valid reports whether v is one of the known visibilities.
func (v NoteVisibility) Valid() bool { return v == NoteEveryone || v == NoteDepartment }

// Limits on a note. A note is prose to read on a timeline, not a document
// store; longer text belongs in several notes.
const (
	MaxNoteBody     = 20000
	maxNoteExcerpt  = 280
	maxNoteSummary  = 200
	maxNotesPerPage = 200
)

// Note is a note on a contact or a company, or a reply in a note's thread
// (ParentID set).
type Note struct {
	ID int64 `json:"id"`
	// Exactly one of ContactID and CompanyID is set.
	ContactID *int64 `json:"contact_id,omitempty"`
	CompanyID *int64 `json:"company_id,omitempty"`
	// ParentID is the note a reply answers; replies share its subject and
	// restriction.
	ParentID *int64 `json:"parent_id,omitempty"`
	// Body is Markdown; show it through RenderMarkdown.
	Body       string `json:"body"`
	SearchText string `json:"-"`
	AuthorID   *int64 `json:"author_id,omitempty"`
	// AuthorDepartmentID is the department the author wrote for; a
	// restricted note is restricted to it.
	AuthorDepartmentID     *int64 `json:"author_department_id,omitempty"`
	RestrictedDepartmentID *int64 `json:"restricted_department_id,omitempty"`
	// NeedsReply asks for an answer; the note is open until someone other
	// than its author replies (RepliedAt set).
	NeedsReply bool       `json:"needs_reply"`
	RepliedAt  *time.Time `json:"replied_at,omitempty"`
	RepliedBy  *int64     `json:"replied_by,omitempty"`
	Version    int64      `json:"version"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	DeletedAt  *time.Time `json:"deleted_at,omitempty"`

	// Names for display, filled on read.
	AuthorName           string `json:"author_name,omitempty" gorm:"-"`
	AuthorDepartmentName string `json:"author_department_name,omitempty" gorm:"-"`
}

// Visibility is who may see the note.
func (n *Note) Visibility() NoteVisibility {
	if n.RestrictedDepartmentID != nil {
		return NoteDepartment
	}
	return NoteEveryone
}

// Open reports whether the note is waiting for a reply.
func (n *Note) Open() bool { return n.NeedsReply && n.RepliedAt == nil && n.DeletedAt == nil }

// NoteRequest is a new note.
type NoteRequest struct {
	// ContactID or CompanyID, exactly one.
	ContactID int64  `json:"contact_id,omitempty"`
	CompanyID int64  `json:"company_id,omitempty"`
	Body      string `json:"body"`
	// Visibility is everyone when empty.
	Visibility NoteVisibility `json:"visibility,omitempty"`
	// DepartmentID is the department the author writes for, one of theirs;
	// 0 picks their first.
	DepartmentID int64 `json:"department_id,omitempty"`
	NeedsReply   bool  `json:"needs_reply,omitempty"`
}

// NotePatch changes a note. Version is the version the change was made
// against; fields left nil stay as they are.
type NotePatch struct {
	Version    int64           `json:"version"`
	Body       *string         `json:"body,omitempty"`
	Visibility *NoteVisibility `json:"visibility,omitempty"`
	NeedsReply *bool           `json:"needs_reply,omitempty"`
}

// cleanNoteBody checks a note's text and returns it as stored.
func cleanNoteBody(body string, v *ValidationError) string {
	body = cleanText(body)
	switch n := utf8.RuneCountInString(body); {
	case body == "":
		v.Add("body", "Write something in the note.")
	case n > MaxNoteBody:
		v.Add("body", fmt.Sprintf("Keep a note under %d characters (this one has %d); split it into several notes.", MaxNoteBody, n))
	}
	return body
}

// CreateNote writes a note on a contact or a company, with its first
// revision, its mentions and their notifications, and its timeline items
// (a company note goes on the timeline of each of the company's people the
// author may see), all in one transaction.
func (db *DB) CreateNote(ctx context.Context, actor Actor, req NoteRequest) (*Note, error) {
	if !actor.CanWrite() {
		return nil, fmt.Errorf("models: create note: %w", ErrForbidden)
	}
	var v ValidationError
	if (req.ContactID == 0) == (req.CompanyID == 0) {
		v.Add("contact_id", "Choose a contact or a company for the note.")
	}
	t := now()
	n := &Note{Body: cleanNoteBody(req.Body, &v), NeedsReply: req.NeedsReply, Version: 1, CreatedAt: t, UpdatedAt: t}
	if actor.UserID != 0 {
		n.AuthorID = &actor.UserID
	}
	n.AuthorDepartmentID = actingDepartment(actor, req.DepartmentID, &v)
	if vis := req.Visibility; vis != "" && !vis.Valid() {
		v.Add("visibility", "Choose everyone or department.")
	} else if vis == NoteDepartment {
		if n.AuthorDepartmentID == nil {
			v.Add("visibility", "You belong to no department, so the note can only be visible to everyone.")
		}
		n.RestrictedDepartmentID = n.AuthorDepartmentID
	}
	if err := v.OrNil(); err != nil {
		return nil, err
	}
	n.SearchText = searchKey(n.Body)
	err := db.Tx(ctx, func(tx *DB) error {
		if req.ContactID != 0 {
			if err := tx.checkVisibleContacts(ctx, actor, []int64{req.ContactID}); err != nil {
				return err
			}
			n.ContactID = &req.ContactID
		} else {
			if _, err := tx.Company(ctx, actor, req.CompanyID); err != nil {
				return err
			}
			n.CompanyID = &req.CompanyID
		}
		if err := tx.with(ctx).Create(n).Error; err != nil {
			return fmt.Errorf("models: create note: %w", err)
		}
		if err := tx.addNoteRevision(ctx, actor, n); err != nil {
			return err
		}
		if err := tx.saveMentions(ctx, actor, n); err != nil {
			return err
		}
		if err := tx.addNoteToTimelines(ctx, actor, n); err != nil {
			return err
		}
		return tx.Audit(ctx, AuditEntry{Actor: &actor, Action: "note.create", SubjectType: "note", SubjectID: n.ID,
			Detail: noteAuditDetail(n)})
	})
	if err != nil {
		return nil, err
	}
	return db.Note(ctx, actor, n.ID)
}

// Note returns a note the actor may see, else ErrNotFound.
func (db *DB) Note(ctx context.Context, actor Actor, id int64) (*Note, error) {
	var n Note
	if err := db.with(ctx).Scopes(visibleNotes(actor)).Where("notes.id = ?", id).First(&n).Error; err != nil {
		return nil, notFound(err, fmt.Sprintf("note %d", id))
	}
	ns := []Note{n}
	if err := db.nameNoteAuthors(ctx, ns); err != nil {
		return nil, err
	}
	return &ns[0], nil
}

// UpdateNote applies patch to a note made against patch.Version. When
// someone saved the note since, nothing is written and the answer is a
// *ConflictError[Note] carrying the note as it now stands, so the person
// can compare (DiffLines), merge and save again against its version. A
// save that changes nothing writes nothing.
//
// Any writer who may see a note may edit it; each save is a revision
// crediting the editor. Only a member of the author's department may
// restrict a note to it.
func (db *DB) UpdateNote(ctx context.Context, actor Actor, id int64, patch NotePatch) (*Note, error) {
	if !actor.CanWrite() {
		return nil, fmt.Errorf("models: update note %d: %w", id, ErrForbidden)
	}
	if patch.Version <= 0 {
		return nil, versionProblem()
	}
	err := db.Tx(ctx, func(tx *DB) error {
		if err := tx.lockRow(ctx, "notes", id); err != nil {
			return err
		}
		old, err := tx.Note(ctx, actor, id)
		if err != nil {
			return err
		}
		if old.Version != patch.Version {
			return errStale
		}
		n := *old
		var v ValidationError
		if patch.Body != nil {
			n.Body = cleanNoteBody(*patch.Body, &v)
		}
		if vis := patch.Visibility; vis != nil {
			switch {
			case !vis.Valid():
				v.Add("visibility", "Choose everyone or department.")
			case n.ParentID != nil && *vis != old.Visibility():
				v.Add("visibility", "A reply is visible to whoever sees the note it answers.")
			case *vis == NoteEveryone:
				n.RestrictedDepartmentID = nil
			case old.RestrictedDepartmentID == nil:
				d := n.AuthorDepartmentID
				if d == nil || (actor.UserID != 0 && !actor.InDepartment(*d)) {
					v.Add("visibility", "Only members of the author's department can restrict the note to it.")
				}
				n.RestrictedDepartmentID = d
			}
		}
		if patch.NeedsReply != nil && n.ParentID == nil {
			n.NeedsReply = *patch.NeedsReply
		}
		if err := v.OrNil(); err != nil {
			return err
		}
		bodyChanged := n.Body != old.Body
		visChanged := n.Visibility() != old.Visibility()
		if !bodyChanged && !visChanged && n.NeedsReply == old.NeedsReply {
			return nil
		}
		if n.NeedsReply && !old.NeedsReply {
			// Asking again reopens the question.
			n.RepliedAt, n.RepliedBy = nil, nil
		}
		n.SearchText = searchKey(n.Body)
		n.Version = old.Version + 1
		n.UpdatedAt = now()
		res := tx.with(ctx).Model(&Note{}).Where("id = ? AND version = ?", id, patch.Version).Updates(map[string]any{
			"body": n.Body, "search_text": n.SearchText, "restricted_department_id": n.RestrictedDepartmentID,
			"needs_reply": n.NeedsReply, "replied_at": n.RepliedAt, "replied_by": n.RepliedBy,
			"version": n.Version, "updated_at": n.UpdatedAt,
		})
		if res.Error != nil {
			return fmt.Errorf("models: update note %d: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return errStale
		}
		if visChanged {
			// Replies follow their note's restriction.
			if err := tx.with(ctx).Model(&Note{}).Where("parent_id = ?", id).
				Update("restricted_department_id", n.RestrictedDepartmentID).Error; err != nil {
				return fmt.Errorf("models: restrict replies of note %d: %w", id, err)
			}
		}
		if bodyChanged || visChanged {
			if err := tx.addNoteRevision(ctx, actor, &n); err != nil {
				return err
			}
		}
		if err := tx.saveMentions(ctx, actor, &n); err != nil {
			return err
		}
		if err := tx.updateNoteOnTimelines(ctx, actor, &n); err != nil {
			return err
		}
		return tx.Audit(ctx, AuditEntry{Actor: &actor, Action: "note.update", SubjectType: "note", SubjectID: id,
			Detail: map[string]any{"version": n.Version, "body_changed": bodyChanged, "visibility": n.Visibility(),
				"needs_reply": n.NeedsReply}})
	})
	if errors.Is(err, errStale) {
		current, err := db.Note(ctx, actor, id)
		if err != nil {
			return nil, err
		}
		return nil, &ConflictError[Note]{Current: current}
	}
	if err != nil {
		return nil, err
	}
	return db.Note(ctx, actor, id)
}

// DeleteNote removes a note, with its replies, from every list and
// timeline. It stays in the database, hidden, with its revisions.
func (db *DB) DeleteNote(ctx context.Context, actor Actor, id int64) error {
	if !actor.CanWrite() {
		return fmt.Errorf("models: delete note %d: %w", id, ErrForbidden)
	}
	return db.Tx(ctx, func(tx *DB) error {
		if err := tx.lockRow(ctx, "notes", id); err != nil {
			return err
		}
		n, err := tx.Note(ctx, actor, id)
		if err != nil {
			return err
		}
		t := now()
		if err := tx.with(ctx).Model(&Note{}).Where("(id = ? OR parent_id = ?) AND deleted_at IS NULL", id, id).
			Updates(map[string]any{"deleted_at": t, "updated_at": t}).Error; err != nil {
			return fmt.Errorf("models: delete note %d: %w", id, err)
		}
		if err := tx.RemoveTimelineItems(ctx, actor, TimelineRef{Type: "note", ID: id}); err != nil {
			return err
		}
		return tx.Audit(ctx, AuditEntry{Actor: &actor, Action: "note.delete", SubjectType: "note", SubjectID: id,
			Detail: noteAuditDetail(n)})
	})
}

// NoteListOptions selects the notes of a contact or of a company.
type NoteListOptions struct {
	// ContactID or CompanyID, exactly one. A contact's list holds the notes
	// written on the contact; its company's notes are on the company's.
	ContactID int64
	CompanyID int64
	// Cursor continues from NotePage.NextCursor.
	Cursor string
	Limit  int // 50 when zero, at most 200
}

// NotePage is one page of notes, newest first.
type NotePage struct {
	Notes      []Note `json:"notes"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// noteOrder pages notes newest first.
var noteOrder = keyset[Note]{column: "notes.created_at", idColumn: "notes.id", desc: true, isTime: true,
	value: func(n *Note) any { return n.CreatedAt }, rowID: func(n *Note) int64 { return n.ID }}

// Notes lists the notes (not replies) of a contact or a company that the
// actor may see, newest first. A contact or company the actor may not see
// is ErrNotFound.
func (db *DB) Notes(ctx context.Context, actor Actor, opts NoteListOptions) (*NotePage, error) {
	if (opts.ContactID == 0) == (opts.CompanyID == 0) {
		return nil, &ValidationError{Fields: map[string]string{"contact_id": "Choose a contact or a company."}}
	}
	q := db.with(ctx).Model(&Note{}).Scopes(visibleNotes(actor)).Where("notes.parent_id IS NULL")
	if opts.ContactID != 0 {
		if err := db.checkVisibleContacts(ctx, actor, []int64{opts.ContactID}); err != nil {
			return nil, err
		}
		q = q.Where("notes.contact_id = ?", opts.ContactID)
	} else {
		if _, err := db.Company(ctx, actor, opts.CompanyID); err != nil {
			return nil, err
		}
		q = q.Where("notes.company_id = ?", opts.CompanyID)
	}
	return db.notePage(ctx, q, "notes", opts.Cursor, opts.Limit)
}

// NoteReplies lists the replies to a note, oldest first. A thread is a
// conversation, read in order; it is not paged, since replies are few.
func (db *DB) NoteReplies(ctx context.Context, actor Actor, noteID int64) ([]Note, error) {
	if _, err := db.Note(ctx, actor, noteID); err != nil {
		return nil, err
	}
	var ns []Note
	if err := db.with(ctx).Scopes(visibleNotes(actor)).Where("notes.parent_id = ?", noteID).
		Order("notes.created_at, notes.id").Limit(1000).Find(&ns).Error; err != nil {
		return nil, fmt.Errorf("models: replies to note %d: %w", noteID, err)
	}
	if err := db.nameNoteAuthors(ctx, ns); err != nil {
		return nil, err
	}
	return ns, nil
}

// notePage reads one page of q, newest first. list names the listing, so
// another listing's cursor is refused.
func (db *DB) notePage(ctx context.Context, q *gorm.DB, list, cursor string, limit int) (*NotePage, error) {
	limit = clampLimit(limit, 50, maxNotesPerPage)
	q, err := noteOrder.after(q, list, cursor)
	if err != nil {
		return nil, cursorProblem()
	}
	var ns []Note
	if err := q.Order(noteOrder.orderBy()).Limit(limit + 1).Find(&ns).Error; err != nil {
		return nil, fmt.Errorf("models: list notes: %w", err)
	}
	page := &NotePage{Notes: ns}
	if len(ns) > limit {
		page.Notes = ns[:limit]
		page.NextCursor = noteOrder.cursor(list, &page.Notes[limit-1])
	}
	if err := db.nameNoteAuthors(ctx, page.Notes); err != nil {
		return nil, err
	}
	return page, nil
}

// visibleNotes limits a note query to live notes the actor may see: not
// restricted to a department the actor is not in, about a contact the
// actor may see (visibleContacts) or a live company. Being an admin does
// not widen it. Every note query goes through it.
func visibleNotes(actor Actor) func(*gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB {
		q = q.Where("notes.deleted_at IS NULL")
		subject := "((notes.contact_id IS NOT NULL AND EXISTS (SELECT 1 FROM contacts WHERE contacts.id = notes.contact_id AND contacts.deleted_at IS NULL AND %s)) " +
			"OR (notes.company_id IS NOT NULL AND EXISTS (SELECT 1 FROM companies WHERE companies.id = notes.company_id AND companies.deleted_at IS NULL)))"
		if len(actor.DepartmentIDs) == 0 {
			return q.Where("notes.restricted_department_id IS NULL").
				Where(fmt.Sprintf(subject, "contacts.restricted_department_id IS NULL"))
		}
		return q.Where("(notes.restricted_department_id IS NULL OR notes.restricted_department_id IN ?)", actor.DepartmentIDs).
			Where(fmt.Sprintf(subject, "(contacts.restricted_department_id IS NULL OR contacts.restricted_department_id IN ?)"), actor.DepartmentIDs)
	}
}

// nameNoteAuthors fills the author and department names of ns.
func (db *DB) nameNoteAuthors(ctx context.Context, ns []Note) error {
	var userIDs, deptIDs []int64
	for _, n := range ns {
		if n.AuthorID != nil {
			userIDs = append(userIDs, *n.AuthorID)
		}
		if n.AuthorDepartmentID != nil {
			deptIDs = append(deptIDs, *n.AuthorDepartmentID)
		}
	}
	users, depts, err := db.namesOf(ctx, userIDs, deptIDs)
	if err != nil {
		return err
	}
	for i := range ns {
		ns[i].CreatedAt, ns[i].UpdatedAt = ns[i].CreatedAt.UTC(), ns[i].UpdatedAt.UTC()
		if ns[i].AuthorID != nil {
			ns[i].AuthorName = users[*ns[i].AuthorID]
		}
		if ns[i].AuthorDepartmentID != nil {
			ns[i].AuthorDepartmentName = depts[*ns[i].AuthorDepartmentID]
		}
	}
	return nil
}

// namesOf maps user and department ids to their names, for attributions.
func (db *DB) namesOf(ctx context.Context, userIDs, deptIDs []int64) (users, depts map[int64]string, err error) {
	type named struct {
		ID   int64
		Name string
	}
	users, depts = map[int64]string{}, map[int64]string{}
	for _, part := range []struct {
		table string
		ids   []int64
		into  map[int64]string
	}{{"users", uniqueIDs(userIDs), users}, {"departments", uniqueIDs(deptIDs), depts}} {
		if len(part.ids) == 0 {
			continue
		}
		var rows []named
		if err := db.with(ctx).Table(part.table).Select("id, name").Where("id IN ?", part.ids).Scan(&rows).Error; err != nil {
			return nil, nil, fmt.Errorf("models: names of %s: %w", part.table, err)
		}
		for _, r := range rows {
			part.into[r.ID] = r.Name
		}
	}
	return users, depts, nil
}

// noteAuditDetail is what the audit trail keeps of a note: where it is and
// how it starts, not all of it.
func noteAuditDetail(n *Note) map[string]any {
	d := map[string]any{"version": n.Version, "visibility": n.Visibility(), "excerpt": shorten(n.Body, 200)}
	if n.ContactID != nil {
		d["contact_id"] = *n.ContactID
	}
	if n.CompanyID != nil {
		d["company_id"] = *n.CompanyID
	}
	if n.ParentID != nil {
		d["parent_id"] = *n.ParentID
	}
	return d
}

// noteSummary is the one line a timeline shows for a note: its first line
// of text.
func noteSummary(body string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(body), "\n")
	line = strings.TrimLeft(cleanLine(line), "#>*- ")
	if line == "" {
		line = "Note"
	}
	return shorten(line, maxNoteSummary)
}

// noteTimelineEntry is how a note shows on timelines.
func (n *Note) timelineEntry(contactIDs []int64) TimelineEntry {
	data := map[string]any{"excerpt": shorten(n.Body, maxNoteExcerpt), "version": n.Version,
		"visibility": n.Visibility(), "needs_reply": n.NeedsReply}
	if n.CompanyID != nil {
		data["company_id"] = *n.CompanyID
	}
	e := TimelineEntry{Kind: TimelineNote, ContactIDs: contactIDs, OccurredAt: n.CreatedAt,
		RestrictedDepartmentID: n.RestrictedDepartmentID, Ref: TimelineRef{Type: "note", ID: n.ID},
		Summary: noteSummary(n.Body), Data: data}
	if n.AuthorDepartmentID != nil {
		e.ActorDepartmentID = *n.AuthorDepartmentID
	}
	return e
}

// noteTimelineContacts are the contacts whose timelines show a note: its
// contact, or the people of its company the actor may see (at most as
// many as one timeline entry may name).
func (db *DB) noteTimelineContacts(ctx context.Context, actor Actor, n *Note) ([]int64, error) {
	if n.ContactID != nil {
		return []int64{*n.ContactID}, nil
	}
	var ids []int64
	if err := db.with(ctx).Model(&Contact{}).Scopes(visibleContacts(actor)).Where("contacts.company_id = ?", *n.CompanyID).
		Order("contacts.id").Limit(maxTimelineContacts).Pluck("contacts.id", &ids).Error; err != nil {
		return nil, fmt.Errorf("models: people of company %d: %w", *n.CompanyID, err)
	}
	return ids, nil
}

// addNoteToTimelines writes a new note's timeline items. Replies live in
// their note's thread and have none.
func (db *DB) addNoteToTimelines(ctx context.Context, actor Actor, n *Note) error {
	if n.ParentID != nil {
		return nil
	}
	ids, err := db.noteTimelineContacts(ctx, actor, n)
	if err != nil || len(ids) == 0 {
		return err
	}
	return db.AddTimelineItem(ctx, actor, n.timelineEntry(ids))
}

// updateNoteOnTimelines rewrites a note's items after an edit. A company
// note whose company had no people when it was written has none.
func (db *DB) updateNoteOnTimelines(ctx context.Context, actor Actor, n *Note) error {
	if n.ParentID != nil {
		return nil
	}
	e := n.timelineEntry(nil)
	e.ActorDepartmentID = 0
	err := db.UpdateTimelineItems(ctx, actor, e)
	if errors.Is(err, ErrNotFound) && n.CompanyID != nil {
		return db.addNoteToTimelines(ctx, actor, n)
	}
	return err
}
