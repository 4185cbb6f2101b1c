package models

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// A contact's timeline is everything that happened with the person, from
// every department and channel, newest first. Every feature that has
// something to show there writes a row to one table, timeline_items: one
// row per contact it concerns, pointing (Ref) at the feature's own record.
// Reading a page is then one indexed range scan whatever the mix of kinds.
// See docs/TIMELINE.md.

// TimelineKind says what a timeline item records.
type TimelineKind string

// Timeline kinds.
const (
	TimelineInteraction TimelineKind = "interaction" // a call, meeting, email or message (see Interaction)
	TimelineNote        TimelineKind = "note"
	TimelineTask        TimelineKind = "task"
	TimelineSocial      TimelineKind = "social" // a post from the contact's public feed
	TimelineChange      TimelineKind = "change" // the profile was created, edited or deleted
	TimelineMerge       TimelineKind = "merge"
	TimelineImport      TimelineKind = "import"
	TimelineOwner       TimelineKind = "owner" // the contact changed hands
)

// TimelineKinds lists every kind, in the order filters offer them.
var TimelineKinds = []TimelineKind{TimelineInteraction, TimelineNote, TimelineTask, TimelineSocial,
	TimelineChange, TimelineOwner, TimelineMerge, TimelineImport}

// Valid reports whether k is one of the known kinds.
func (k TimelineKind) Valid() bool { return slices.Contains(TimelineKinds, k) }

// TimelineSource says how an item came in: a person in the app, an API
// client, an import, a social feed, or Rapport itself.
type TimelineSource string

// Timeline sources.
const (
	TimelineSourceUser   TimelineSource = "user"
	TimelineSourceAPI    TimelineSource = "api"
	TimelineSourceImport TimelineSource = "import"
	TimelineSourceFeed   TimelineSource = "feed"
	TimelineSourceSystem TimelineSource = "system"
)

// Valid reports whether s is one of the known sources.
func (s TimelineSource) Valid() bool {
	switch s {
	case TimelineSourceUser, TimelineSourceAPI, TimelineSourceImport, TimelineSourceFeed, TimelineSourceSystem:
		return true
	}
	return false
}

// sourceOf is the source of what actor does when the caller names none.
func sourceOf(actor Actor) TimelineSource {
	switch {
	case actor.Via == "token":
		return TimelineSourceAPI
	case actor.Via == "system", actor.UserID == 0:
		return TimelineSourceSystem
	}
	return TimelineSourceUser
}

// TimelineRef points from an item to the record it shows, such as
// {Type: "interaction", ID: 42}. Items that are their own record (profile
// changes) have none.
type TimelineRef struct {
	Type string `json:"type"`
	ID   int64  `json:"id"`
}

// TimelineItem is one entry of a timeline as a view shows it: what
// happened, when, to whom, and who did it for which department.
type TimelineItem struct {
	ID          int64        `json:"id"`
	Kind        TimelineKind `json:"kind"`
	ContactID   int64        `json:"contact_id"`
	ContactName string       `json:"contact_name" gorm:"-"`
	OccurredAt  time.Time    `json:"occurred_at"`
	// ActorUserID and ActorName are the person who did it; empty when no
	// person did (a feed, the system). ActorDepartment* is the department
	// they acted for.
	ActorUserID         *int64         `json:"actor_user_id,omitempty"`
	ActorName           string         `json:"actor_name,omitempty"`
	ActorDepartmentID   *int64         `json:"actor_department_id,omitempty"`
	ActorDepartmentName string         `json:"actor_department_name,omitempty"`
	Source              TimelineSource `json:"source"`
	// RestrictedDepartmentID, when set, shows the item only to members of
	// that department.
	RestrictedDepartmentID *int64       `json:"restricted_department_id,omitempty"`
	Ref                    *TimelineRef `json:"ref,omitempty" gorm:"-"`
	Channel                string       `json:"channel,omitempty"`
	Summary                string       `json:"summary"`
	// Data is a JSON object whose fields depend on Kind; see
	// docs/TIMELINE.md.
	Data      json.RawMessage `json:"data" gorm:"-"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
}

// Attribution names who the item is by: the person and their department
// ("Ann Lee · Sales"), else where it came from.
func (it *TimelineItem) Attribution() string {
	if it.ActorName != "" {
		if it.ActorDepartmentName != "" {
			return it.ActorName + " · " + it.ActorDepartmentName
		}
		return it.ActorName
	}
	switch it.Source {
	case TimelineSourceFeed:
		return "Social feed"
	case TimelineSourceImport:
		return "Import"
	case TimelineSourceAPI:
		return "API"
	}
	return "Rapport"
}

// TimelineEntry is what a feature writes to the timelines of one or more
// contacts: one item per contact, all alike.
type TimelineEntry struct {
	Kind TimelineKind
	// ContactIDs are the contacts whose timelines show the entry (a meeting
	// with three people writes three items).
	ContactIDs []int64
	OccurredAt time.Time // when it happened; now when zero
	// ActorDepartmentID is the department the actor acted for; 0 picks the
	// actor's first department.
	ActorDepartmentID int64
	// Source defaults from how the actor signed in: api for tokens, system
	// for Rapport's own work, user otherwise.
	Source TimelineSource
	// RestrictedDepartmentID limits the items to the members of a
	// department, which a person writing must belong to.
	RestrictedDepartmentID *int64
	Ref                    TimelineRef
	Channel                string // matched by TimelineOptions.Channel
	Summary                string // one line; required
	Data                   any    // encoded as a JSON object; keep it small
}

// Limits on one timeline entry, so that a page of items stays small to
// load and render whatever a feature or API client writes.
const (
	maxTimelineSummary  = 500
	maxTimelineData     = 16 << 10
	maxTimelineContacts = 100
	maxChannelLength    = 50
)

var refTypePattern = regexp.MustCompile(`^[a-z][a-z_]{0,39}$`)

// timelineRecord is a row of timeline_items as stored.
type timelineRecord struct {
	ID                     int64
	ContactID              int64
	Kind                   TimelineKind
	OccurredAt             time.Time
	ActorUserID            *int64
	ActorDepartmentID      *int64
	Source                 TimelineSource
	RestrictedDepartmentID *int64
	RefType                string
	RefID                  *int64
	Channel                string
	Summary                string
	Data                   string
	CreatedAt              time.Time
	UpdatedAt              time.Time
	DeletedAt              *time.Time
}

func (timelineRecord) TableName() string { return "timeline_items" }

// AddTimelineItem writes e to the timeline of each of its contacts. Pass
// the transaction's *DB so the items commit with the record they show.
//
// actor is who does it. A person must be allowed to write and to see every
// contact (else ErrNotFound for the first one they cannot); an actor with
// no user, such as System for a feed fetch, writes to any live contact and
// is credited to no one.
func (db *DB) AddTimelineItem(ctx context.Context, actor Actor, e TimelineEntry) error {
	if actor.UserID != 0 && !actor.CanWrite() {
		return fmt.Errorf("models: add timeline item: %w", ErrForbidden)
	}
	rec, contactIDs, err := db.timelineRecordFor(ctx, actor, e)
	if err != nil {
		return err
	}
	if err := db.checkTimelineContacts(ctx, actor, contactIDs); err != nil {
		return err
	}
	return db.insertTimelineItems(ctx, rec, contactIDs)
}

// UpdateTimelineItems rewrites the items of the record e.Ref names, at
// once on every contact's timeline: when, restriction, channel, summary
// and data from e. Kind, author and source stay those of the items. When
// e.ContactIDs is not nil the record's items become exactly one per
// contact listed: items of contacts left out are removed and contacts
// added get one, credited like the others. It is ErrNotFound when the
// record has no live items.
//
// The caller has checked that actor may change the record; contacts added
// are checked as in AddTimelineItem.
func (db *DB) UpdateTimelineItems(ctx context.Context, actor Actor, e TimelineEntry) error {
	if actor.UserID != 0 && !actor.CanWrite() {
		return fmt.Errorf("models: update timeline items: %w", ErrForbidden)
	}
	if e.Ref.Type == "" {
		return &ValidationError{Fields: map[string]string{"ref": "Name the record whose timeline items to update."}}
	}
	var existing []timelineRecord
	if err := db.with(ctx).Where("ref_type = ? AND ref_id = ? AND deleted_at IS NULL", e.Ref.Type, e.Ref.ID).
		Order("id").Find(&existing).Error; err != nil {
		return fmt.Errorf("models: timeline items of %s %d: %w", e.Ref.Type, e.Ref.ID, err)
	}
	if len(existing) == 0 {
		return fmt.Errorf("models: timeline items of %s %d: %w", e.Ref.Type, e.Ref.ID, ErrNotFound)
	}
	first := existing[0]
	// Kind and credit are the items' own; whoever edits does not take them.
	e.Kind, e.Source, e.ActorDepartmentID = first.Kind, first.Source, 0
	if e.ContactIDs == nil {
		for _, r := range existing {
			e.ContactIDs = append(e.ContactIDs, r.ContactID)
		}
	}
	rec, contactIDs, err := db.timelineRecordFor(ctx, actor, e)
	if err != nil {
		return err
	}
	var gone, added []int64
	for _, r := range existing {
		if !slices.Contains(contactIDs, r.ContactID) {
			gone = append(gone, r.ID)
		}
	}
	for _, id := range contactIDs {
		if !slices.ContainsFunc(existing, func(r timelineRecord) bool { return r.ContactID == id }) {
			added = append(added, id)
		}
	}
	if len(added) > 0 {
		if err := db.checkTimelineContacts(ctx, actor, added); err != nil {
			return err
		}
	}
	t := now()
	if len(gone) > 0 {
		if err := db.with(ctx).Model(&timelineRecord{}).Where("id IN ?", gone).
			Updates(map[string]any{"deleted_at": t, "updated_at": t}).Error; err != nil {
			return fmt.Errorf("models: remove timeline items of %s %d: %w", e.Ref.Type, e.Ref.ID, err)
		}
	}
	res := db.with(ctx).Model(&timelineRecord{}).Where("ref_type = ? AND ref_id = ? AND deleted_at IS NULL", e.Ref.Type, e.Ref.ID).
		Updates(map[string]any{"occurred_at": rec.OccurredAt, "restricted_department_id": rec.RestrictedDepartmentID,
			"channel": rec.Channel, "summary": rec.Summary, "data": rec.Data, "updated_at": t})
	if res.Error != nil {
		return fmt.Errorf("models: update timeline items of %s %d: %w", e.Ref.Type, e.Ref.ID, res.Error)
	}
	if len(added) == 0 {
		return nil
	}
	rec.ActorUserID, rec.ActorDepartmentID, rec.Source = first.ActorUserID, first.ActorDepartmentID, first.Source
	return db.insertTimelineItems(ctx, rec, added)
}

// RemoveTimelineItems takes the items of a record off every timeline at
// once, as when the record is deleted. They stay in the database, hidden.
func (db *DB) RemoveTimelineItems(ctx context.Context, actor Actor, ref TimelineRef) error {
	if actor.UserID != 0 && !actor.CanWrite() {
		return fmt.Errorf("models: remove timeline items: %w", ErrForbidden)
	}
	t := now()
	err := db.with(ctx).Model(&timelineRecord{}).Where("ref_type = ? AND ref_id = ? AND deleted_at IS NULL", ref.Type, ref.ID).
		Updates(map[string]any{"deleted_at": t, "updated_at": t}).Error
	if err != nil {
		return fmt.Errorf("models: remove timeline items of %s %d: %w", ref.Type, ref.ID, err)
	}
	return nil
}

// timelineRecordFor checks e and returns the row each of its contacts gets
// (ContactID aside) and the contacts, without duplicates.
func (db *DB) timelineRecordFor(ctx context.Context, actor Actor, e TimelineEntry) (timelineRecord, []int64, error) {
	var v ValidationError
	rec := timelineRecord{Kind: e.Kind, Source: e.Source, RefType: e.Ref.Type, Channel: normalizeChannel(e.Channel),
		Summary: cleanLine(e.Summary), Data: "{}"}
	if !rec.Kind.Valid() {
		v.Add("kind", "Choose one of the timeline kinds: interaction, note, task, social, change, owner, merge or import.")
	}
	if rec.Source == "" {
		rec.Source = sourceOf(actor)
	} else if !rec.Source.Valid() {
		v.Add("source", "Choose user, api, import, feed or system.")
	}
	contactIDs := uniqueIDs(e.ContactIDs)
	switch {
	case len(contactIDs) == 0:
		v.Add("contact_ids", "Choose at least one contact.")
	case len(contactIDs) > maxTimelineContacts:
		v.Add("contact_ids", fmt.Sprintf("Choose at most %d contacts.", maxTimelineContacts))
	}
	rec.OccurredAt = e.OccurredAt.UTC().Truncate(time.Microsecond)
	if e.OccurredAt.IsZero() {
		rec.OccurredAt = now()
	}
	if e.Ref.Type != "" || e.Ref.ID != 0 {
		if !refTypePattern.MatchString(e.Ref.Type) || e.Ref.ID <= 0 {
			v.Add("ref", "Name the record as a type in lower case and its id.")
		}
		rec.RefID = &e.Ref.ID
	}
	if rec.Summary == "" {
		v.Add("summary", "Say in a line what happened.")
	}
	checkLength(&v, "summary", "summary", rec.Summary, maxTimelineSummary)
	checkLength(&v, "channel", "channel", rec.Channel, maxChannelLength)
	if e.Data != nil {
		b, err := json.Marshal(e.Data)
		switch {
		case err != nil || len(b) == 0 || b[0] != '{':
			v.Add("data", "Give the item's data as a JSON object.")
		case len(b) > maxTimelineData:
			v.Add("data", fmt.Sprintf("Keep the item's data under %d KiB.", maxTimelineData>>10))
		default:
			rec.Data = string(b)
		}
	}
	if actor.UserID != 0 {
		rec.ActorUserID = &actor.UserID
	}
	rec.ActorDepartmentID = actingDepartment(actor, e.ActorDepartmentID, &v)
	if d := e.RestrictedDepartmentID; d != nil && *d != 0 {
		if actor.UserID != 0 && !actor.InDepartment(*d) {
			v.Add("restricted_department_id", "You can restrict an item only to a department you belong to.")
		}
		rec.RestrictedDepartmentID = d
	}
	if err := v.OrNil(); err != nil {
		return rec, nil, err
	}
	if actor.UserID == 0 {
		// A person's departments exist; ids from elsewhere are checked.
		if err := db.checkDepartmentsExist(ctx, rec.ActorDepartmentID, rec.RestrictedDepartmentID); err != nil {
			return rec, nil, err
		}
	}
	return rec, contactIDs, nil
}

// actingDepartment is the department an actor acts for: the one given,
// which a person must belong to, else their first.
func actingDepartment(actor Actor, given int64, v *ValidationError) *int64 {
	if given != 0 {
		if actor.UserID != 0 && !actor.InDepartment(given) {
			v.Add("actor_department_id", "Choose one of your own departments.")
		}
		return &given
	}
	if len(actor.DepartmentIDs) > 0 {
		d := actor.DepartmentIDs[0]
		return &d
	}
	return nil
}

// checkDepartmentsExist answers a validation problem for a department id
// that names no department.
func (db *DB) checkDepartmentsExist(ctx context.Context, acting, restricted *int64) error {
	for field, id := range map[string]*int64{"actor_department_id": acting, "restricted_department_id": restricted} {
		if id == nil {
			continue
		}
		var n int64
		if err := db.with(ctx).Model(&Department{}).Where("id = ?", *id).Count(&n).Error; err != nil {
			return fmt.Errorf("models: check department %d: %w", *id, err)
		}
		if n == 0 {
			return &ValidationError{Fields: map[string]string{field: "Choose the department from the list."}}
		}
	}
	return nil
}

// checkTimelineContacts answers ErrNotFound for the first of ids that is
// not a live contact the actor may see. An actor with no user (a feed, the
// system) may write to any live contact.
func (db *DB) checkTimelineContacts(ctx context.Context, actor Actor, ids []int64) error {
	if actor.UserID != 0 {
		return db.checkVisibleContacts(ctx, actor, ids)
	}
	var found []int64
	if err := db.with(ctx).Model(&Contact{}).Where("contacts.deleted_at IS NULL AND contacts.id IN ?", ids).
		Pluck("contacts.id", &found).Error; err != nil {
		return fmt.Errorf("models: check contacts: %w", err)
	}
	return missingContact(ids, found)
}

// checkVisibleContacts answers ErrNotFound for the first of ids the actor
// may not see, as if it did not exist.
func (db *DB) checkVisibleContacts(ctx context.Context, actor Actor, ids []int64) error {
	var found []int64
	if err := db.with(ctx).Model(&Contact{}).Scopes(visibleContacts(actor)).Where("contacts.id IN ?", ids).
		Pluck("contacts.id", &found).Error; err != nil {
		return fmt.Errorf("models: check contacts: %w", err)
	}
	return missingContact(ids, found)
}

func missingContact(wanted, found []int64) error {
	for _, id := range wanted {
		if !slices.Contains(found, id) {
			return fmt.Errorf("models: contact %d: %w", id, ErrNotFound)
		}
	}
	return nil
}

// insertTimelineItems writes rec once per contact, in one statement.
func (db *DB) insertTimelineItems(ctx context.Context, rec timelineRecord, contactIDs []int64) error {
	t := now()
	rows := make([]timelineRecord, len(contactIDs))
	for i, id := range contactIDs {
		rows[i] = rec
		rows[i].ID, rows[i].ContactID, rows[i].CreatedAt, rows[i].UpdatedAt = 0, id, t, t
	}
	if err := db.with(ctx).Create(&rows).Error; err != nil {
		if isUniqueViolation(err) {
			// A record has one live item per contact.
			return fmt.Errorf("models: %s %d is already on the timeline: %w", rec.RefType, *rec.RefID, ErrConflict)
		}
		return fmt.Errorf("models: add %s to timelines: %w", rec.Kind, err)
	}
	return nil
}

// normalizeChannel is the form channels are stored and matched in: folded,
// words joined by underscores, so "In person" is in_person.
func normalizeChannel(s string) string { return strings.ReplaceAll(searchKey(s), " ", "_") }

// shorten cuts s to at most n characters, marking the cut with an
// ellipsis, for summaries and excerpts.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// visibleTimelineItems limits an item query to live items the actor may
// see: unrestricted ones and those of the actor's departments. Like
// visibleContacts, being an admin does not widen it; callers apply both.
func visibleTimelineItems(actor Actor) func(*gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB {
		q = q.Where("timeline_items.deleted_at IS NULL")
		if len(actor.DepartmentIDs) == 0 {
			return q.Where("timeline_items.restricted_department_id IS NULL")
		}
		return q.Where("(timeline_items.restricted_department_id IS NULL OR timeline_items.restricted_department_id IN ?)", actor.DepartmentIDs)
	}
}
