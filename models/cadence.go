package models

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm/clause"
)

// A keep-in-touch cadence says how often someone should be in touch with a
// contact. The next contact date is the day of the last interaction (or of
// the contact's creation) plus the cadence, so logging an interaction,
// which moves contacts.last_contacted_at, moves it too with nothing else to
// keep in step.

// cadenceRecord is a row of contact_cadences.
type cadenceRecord struct {
	ContactID int64
	EveryN    int
	Unit      IntervalUnit
	SetBy     *int64
	UpdatedAt time.Time
}

func (cadenceRecord) TableName() string { return "contact_cadences" }

// FollowUp is a contact due for a follow-up.
type FollowUp struct {
	ContactID   int64    `json:"contact_id"`
	ContactName string   `json:"contact_name"`
	Cadence     Interval `json:"cadence"`
	// LastContactedAt is nil when nobody has been in touch yet; the
	// cadence then runs from when the contact was added.
	LastContactedAt *time.Time `json:"last_contacted_at,omitempty"`
	CreatedAt       time.Time  `json:"created_at"`
	// NextContactOn is the day (YYYY-MM-DD, in the reader's time zone)
	// someone should have been in touch by.
	NextContactOn string `json:"next_contact_on"`
}

// FollowUpOptions choose a page of contacts due for a follow-up.
type FollowUpOptions struct {
	Mine bool // only contacts the actor owns
	// Now and Loc decide "today": the day containing Now in Loc. Zero Now
	// is the clock; nil Loc is UTC.
	Now    time.Time
	Loc    *time.Location
	Cursor string
	Limit  int // 50 by default, at most 200
}

// FollowUpPage is one page of follow-ups, longest out of touch first.
type FollowUpPage struct {
	FollowUps  []FollowUp `json:"follow_ups"`
	NextCursor string     `json:"next_cursor,omitempty"`
}

// anchorColumn is what a cadence runs from.
const anchorColumn = "COALESCE(contacts.last_contacted_at, contacts.created_at)"

var followUpOrder = keyset[FollowUp]{column: anchorColumn, idColumn: "contacts.id", isTime: true,
	value: func(f *FollowUp) any {
		if f.LastContactedAt != nil {
			return *f.LastContactedAt
		}
		return f.CreatedAt
	}, rowID: func(f *FollowUp) int64 { return f.ContactID }}

// SetCadence sets how often to keep in touch with a contact the actor may
// see; the zero Interval removes the cadence.
func (db *DB) SetCadence(ctx context.Context, actor Actor, contactID int64, every Interval) error {
	if !actor.CanWrite() {
		return fmt.Errorf("models: set cadence: %w", ErrForbidden)
	}
	if !every.IsZero() {
		var v ValidationError
		every.check(&v, "cadence")
		if err := v.OrNil(); err != nil {
			return err
		}
	}
	return db.Tx(ctx, func(tx *DB) error {
		if _, err := tx.taskContact(ctx, actor, contactID); err != nil {
			return err
		}
		if every.IsZero() {
			if err := tx.with(ctx).Where("contact_id = ?", contactID).Delete(&cadenceRecord{}).Error; err != nil {
				return fmt.Errorf("models: set cadence of contact %d: %w", contactID, err)
			}
		} else {
			// One statement, not a delete then an insert: two people
			// setting the cadence at once both inserted after both
			// deleted, and the second failed on the primary key.
			rec := cadenceRecord{ContactID: contactID, EveryN: every.Every, Unit: every.Unit, UpdatedAt: now()}
			if actor.UserID != 0 {
				rec.SetBy = &actor.UserID
			}
			upsert := clause.OnConflict{Columns: []clause.Column{{Name: "contact_id"}},
				DoUpdates: clause.AssignmentColumns([]string{"every_n", "unit", "set_by", "updated_at"})}
			if err := tx.with(ctx).Clauses(upsert).Create(&rec).Error; err != nil {
				return fmt.Errorf("models: set cadence of contact %d: %w", contactID, err)
			}
		}
		return tx.Audit(ctx, AuditEntry{Actor: &actor, Action: "contact.cadence", SubjectType: "contact", SubjectID: contactID,
			Detail: every})
	})
}

// Cadence returns the keep-in-touch cadence of a contact the actor may see;
// the zero Interval when it has none.
func (db *DB) Cadence(ctx context.Context, actor Actor, contactID int64) (Interval, error) {
	if _, err := db.taskContact(ctx, actor, contactID); err != nil {
		return Interval{}, err
	}
	var recs []cadenceRecord
	if err := db.with(ctx).Where("contact_id = ?", contactID).Limit(1).Find(&recs).Error; err != nil {
		return Interval{}, fmt.Errorf("models: cadence of contact %d: %w", contactID, err)
	}
	if len(recs) == 0 {
		return Interval{}, nil
	}
	return Interval{Every: recs[0].EveryN, Unit: recs[0].Unit}, nil
}

// DueForFollowUp lists the contacts the actor may see whose next contact
// date is on or before the actor's today, longest out of touch first.
//
// The date arithmetic is done in Go, not SQL (the two databases share no
// date functions, and SQLite compares times as text): for each distinct
// cadence in use — few, as each unit is bounded — the latest last-contact
// instant that makes a contact due today is computed in the reader's time
// zone, and the query is one OR of (cadence, anchor < cutoff) conditions.
func (db *DB) DueForFollowUp(ctx context.Context, actor Actor, opts FollowUpOptions) (*FollowUpPage, error) {
	limit := clampLimit(opts.Limit, 50, 200)
	at := opts.Now
	if at.IsZero() {
		at = now()
	}
	loc := opts.Loc
	if loc == nil {
		loc = time.UTC
	}
	var inUse []cadenceRecord
	if err := db.with(ctx).Model(&cadenceRecord{}).Distinct("every_n", "unit").Scan(&inUse).Error; err != nil {
		return nil, fmt.Errorf("models: cadences in use: %w", err)
	}
	rules := make([]Interval, len(inUse))
	for i, r := range inUse {
		rules[i] = Interval{Every: r.EveryN, Unit: r.Unit}
	}
	page := &FollowUpPage{FollowUps: []FollowUp{}}
	if len(rules) == 0 {
		return page, nil
	}
	conds := make([]string, len(rules))
	var args []any
	for i, r := range rules {
		conds[i] = "(contact_cadences.unit = ? AND contact_cadences.every_n = ? AND " + anchorColumn + " < ?)"
		args = append(args, r.Unit, r.Every, dueCutoff(r, at, loc))
	}
	q := db.with(ctx).Model(&Contact{}).Joins("JOIN contact_cadences ON contact_cadences.contact_id = contacts.id").
		Scopes(visibleContacts(actor)).Where("("+strings.Join(conds, " OR ")+")", args...).
		Select("contacts.id AS contact_id, contacts.last_contacted_at, contacts.created_at, contact_cadences.every_n, contact_cadences.unit")
	if opts.Mine {
		q = q.Where("contacts.owner_id = ?", actor.UserID)
	}
	sort := "follow_up"
	if opts.Mine {
		sort = "follow_up_mine"
	}
	q, err := followUpOrder.after(q, sort, opts.Cursor)
	if err != nil {
		return nil, cursorProblem()
	}
	var rows []struct {
		ContactID       int64
		LastContactedAt *time.Time
		CreatedAt       time.Time
		EveryN          int
		Unit            IntervalUnit
	}
	if err := q.Order(followUpOrder.orderBy()).Limit(limit + 1).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("models: contacts due for follow-up: %w", err)
	}
	var ids []int64
	for i, r := range rows {
		if i == limit {
			page.NextCursor = followUpOrder.cursor(sort, &page.FollowUps[limit-1])
			break
		}
		f := FollowUp{ContactID: r.ContactID, Cadence: Interval{Every: r.EveryN, Unit: r.Unit}, CreatedAt: r.CreatedAt.UTC()}
		anchor := f.CreatedAt
		if r.LastContactedAt != nil {
			lc := r.LastContactedAt.UTC()
			f.LastContactedAt, anchor = &lc, lc
		}
		f.NextContactOn = nextContactDay(f.Cadence, anchor, loc).Format(time.DateOnly)
		page.FollowUps = append(page.FollowUps, f)
		ids = append(ids, r.ContactID)
	}
	names, _, err := db.subjectNames(ctx, ids, nil)
	if err != nil {
		return nil, err
	}
	for i := range page.FollowUps {
		page.FollowUps[i].ContactName = names[page.FollowUps[i].ContactID]
	}
	return page, nil
}

// nextContactDay is the day (midnight UTC standing for a date) someone
// should be in touch by: the anchor's day in loc plus the cadence.
func nextContactDay(every Interval, anchor time.Time, loc *time.Location) time.Time {
	l := anchor.In(loc)
	day := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
	return every.add(day, 1, time.UTC)
}

// dueCutoff is the instant before which a last contact makes a contact
// with this cadence due on the day containing at in loc: the start (in
// loc) of the day after the latest day D with D + cadence <= today.
// Months are added as Interval.add does, staying on the month's last day,
// so the latest such D is today's day number a cadence back, or the last
// day of that month when today is the last day of its own.
func dueCutoff(every Interval, at time.Time, loc *time.Location) time.Time {
	l := at.In(loc)
	y, m, d := l.Date()
	var latest time.Time
	switch every.Unit {
	case IntervalMonth:
		first := time.Date(y, m-time.Month(every.Every), 1, 0, 0, 0, 0, time.UTC)
		ty, tm := first.Year(), first.Month()
		td := min(d, daysIn(ty, tm))
		if d == daysIn(y, m) {
			td = daysIn(ty, tm)
		}
		latest = time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC)
	case IntervalWeek:
		latest = time.Date(y, m, d-7*every.Every, 0, 0, 0, 0, time.UTC)
	default:
		latest = time.Date(y, m, d-every.Every, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(latest.Year(), latest.Month(), latest.Day()+1, 0, 0, 0, 0, loc).UTC()
}
