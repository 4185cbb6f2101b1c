package models

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// timelineOrder pages timelines newest first; the id breaks ties between
// items of the same moment, so no item is skipped or shown twice.
var timelineOrder = keyset[TimelineItem]{column: "timeline_items.occurred_at", idColumn: "timeline_items.id",
	desc: true, isTime: true,
	value: func(it *TimelineItem) any { return it.OccurredAt }, rowID: func(it *TimelineItem) int64 { return it.ID }}

// TimelineOptions selects a timeline and filters it. Empty fields do not
// filter.
type TimelineOptions struct {
	// ContactID or CompanyID, exactly one: a contact's timeline, or a
	// company's, which is the timelines of its people merged.
	ContactID int64
	CompanyID int64
	Kinds     []TimelineKind
	// DepartmentID keeps the items done for that department.
	DepartmentID int64
	Channel      string
	// From and To bound when items happened: From inclusive, To exclusive.
	From, To time.Time
	// Cursor continues from TimelinePage.NextCursor of the previous page,
	// with the same options.
	Cursor string
	Limit  int // 50 when zero, at most 200
}

// TimelinePage is one page of a timeline, newest first.
type TimelinePage struct {
	Items []TimelineItem `json:"items"`
	// NextCursor fetches the next (older) page; empty on the last page.
	NextCursor string `json:"next_cursor,omitempty"`
}

// Timeline lists the items of a contact's or a company's timeline that the
// actor may see, newest first, a page at a time. A contact the actor may
// not see is ErrNotFound; items restricted to a department the actor is
// not in are left out, admins included.
func (db *DB) Timeline(ctx context.Context, actor Actor, opts TimelineOptions) (*TimelinePage, error) {
	sel, err := db.timelineSelection(ctx, actor, opts)
	if err != nil {
		return nil, err
	}
	return db.timelinePage(ctx, actor, sel, opts.Cursor, opts.Limit)
}

// timelineSelection checks opts and says which items they select.
func (db *DB) timelineSelection(ctx context.Context, actor Actor, opts TimelineOptions) (itemSelection, error) {
	var v ValidationError
	if (opts.ContactID == 0) == (opts.CompanyID == 0) {
		v.Add("contact_id", "Choose a contact or a company.")
	}
	checkKinds(opts.Kinds, &v)
	if !opts.From.IsZero() && !opts.To.IsZero() && !opts.From.Before(opts.To) {
		v.Add("to", "Choose an end after the start.")
	}
	if err := v.OrNil(); err != nil {
		return itemSelection{}, err
	}
	sel := itemSelection{list: "timeline", items: func(q *gorm.DB) *gorm.DB {
		if len(opts.Kinds) > 0 {
			q = q.Where("timeline_items.kind IN ?", opts.Kinds)
		}
		if opts.DepartmentID != 0 {
			q = q.Where("timeline_items.actor_department_id = ?", opts.DepartmentID)
		}
		if opts.Channel != "" {
			q = q.Where("timeline_items.channel = ?", normalizeChannel(opts.Channel))
		}
		if !opts.From.IsZero() {
			q = q.Where("timeline_items.occurred_at >= ?", opts.From.UTC())
		}
		if !opts.To.IsZero() {
			q = q.Where("timeline_items.occurred_at < ?", opts.To.UTC())
		}
		return q
	}}
	if opts.ContactID != 0 {
		// The page query sees only items of a contact the actor may see, so
		// whether the contact is visible is asked (see timelinePage) only
		// when it returns nothing: a page costs one statement, not two.
		sel.contactID = opts.ContactID
		return sel, nil
	}
	if _, err := db.Company(ctx, actor, opts.CompanyID); err != nil {
		return sel, err
	}
	sel.setColumn, sel.setValue = "company_id", opts.CompanyID
	return sel, nil
}

func checkKinds(kinds []TimelineKind, v *ValidationError) {
	for _, k := range kinds {
		if !k.Valid() {
			v.Add("kinds", fmt.Sprintf("%q is not a kind of timeline item.", k))
		}
	}
}

// TimelineCounts counts the items of each kind on a contact's timeline
// that the actor may see, for the filter's badges. Kinds without items are
// absent.
func (db *DB) TimelineCounts(ctx context.Context, actor Actor, contactID int64) (map[TimelineKind]int64, error) {
	var rows []struct {
		Kind TimelineKind
		N    int64
	}
	err := db.with(ctx).Table("timeline_items").Select("timeline_items.kind, COUNT(*) AS n").
		Joins("JOIN contacts ON contacts.id = timeline_items.contact_id").
		Scopes(visibleContacts(actor), visibleTimelineItems(actor)).
		Where("timeline_items.contact_id = ?", contactID).Group("timeline_items.kind").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("models: count timeline of contact %d: %w", contactID, err)
	}
	if len(rows) == 0 {
		// Counts, like a page, come only from a contact the actor may see.
		if err := db.checkVisibleContacts(ctx, actor, []int64{contactID}); err != nil {
			return nil, err
		}
	}
	counts := make(map[TimelineKind]int64, len(rows))
	for _, r := range rows {
		counts[r.Kind] = r.N
	}
	return counts, nil
}

// ActivityOptions filters the activity feed.
type ActivityOptions struct {
	// Mine keeps the contacts the actor owns.
	Mine  bool
	Kinds []TimelineKind
	// Since keeps items that happened at or after it.
	Since  time.Time
	Cursor string // ActivityPage.NextCursor of the previous page
	Limit  int    // 50 when zero, at most 200
}

// Activity lists what happened across every contact the actor may see,
// newest first: the items the actor may see of the contacts the actor may
// see.
func (db *DB) Activity(ctx context.Context, actor Actor, opts ActivityOptions) (*TimelinePage, error) {
	sel, err := activitySelection(actor, opts)
	if err != nil {
		return nil, err
	}
	return db.timelinePage(ctx, actor, sel, opts.Cursor, opts.Limit)
}

// activitySelection checks opts and says which items they select.
func activitySelection(actor Actor, opts ActivityOptions) (itemSelection, error) {
	var v ValidationError
	checkKinds(opts.Kinds, &v)
	if err := v.OrNil(); err != nil {
		return itemSelection{}, err
	}
	sel := itemSelection{list: "activity", items: func(q *gorm.DB) *gorm.DB {
		if len(opts.Kinds) > 0 {
			q = q.Where("timeline_items.kind IN ?", opts.Kinds)
		}
		if !opts.Since.IsZero() {
			q = q.Where("timeline_items.occurred_at >= ?", opts.Since.UTC())
		}
		return q
	}}
	if opts.Mine {
		sel.setColumn, sel.setValue = "owner_id", actor.UserID
	}
	return sel, nil
}

// itemSelection is what a listing reads: the timeline of one contact, the
// timelines of a set of contacts merged (those whose setColumn is
// setValue), or, with neither, every timeline.
type itemSelection struct {
	list      string // names the listing in its cursors
	contactID int64
	setColumn string // of contacts
	setValue  int64
	items     func(*gorm.DB) *gorm.DB // conditions on timeline_items
}

// maxMergedTimelines is the most contacts whose timelines a page merges
// one by one (see mergedTimelines); the items of a larger set are read
// from the activity index, where they are dense enough to be found fast.
const maxMergedTimelines = 50

// timelinePageQuery is the query of one page of sel. A set of contacts
// small enough is read as the merge of their timelines, so that a page
// costs at most a page per contact however old their items are; a walk of
// the activity index would read everything newer than a quiet company's
// last item.
func (db *DB) timelinePageQuery(ctx context.Context, actor Actor, sel itemSelection, cursor string, limit int) (*gorm.DB, error) {
	q := db.timelineItems(ctx, actor)
	switch {
	case sel.contactID != 0:
		q = q.Where("timeline_items.contact_id = ?", sel.contactID)
	case sel.setColumn != "":
		var ids []int64
		err := db.with(ctx).Model(&Contact{}).Scopes(visibleContacts(actor)).Where("contacts."+sel.setColumn+" = ?", sel.setValue).
			Order("contacts.id").Limit(maxMergedTimelines+1).Pluck("contacts.id", &ids).Error
		if err != nil {
			return nil, fmt.Errorf("models: contacts of the timeline: %w", err)
		}
		if len(ids) <= maxMergedTimelines {
			return db.mergedTimelines(ctx, actor, sel, ids, cursor, limit)
		}
		// The set is large, so its items are dense in the activity index:
		// walking that and checking each item's contact finds a page fast.
		q = q.Where("contacts."+sel.setColumn+" = ?", sel.setValue)
	}
	return pageOf(q.Scopes(sel.items), sel.list, cursor, limit)
}

// mergedTimelines reads a page of the timelines of contactIDs as one
// query: a page of each contact's timeline, each a range scan of
// timeline_items_contact_idx, then the newest of those.
func (db *DB) mergedTimelines(ctx context.Context, actor Actor, sel itemSelection, contactIDs []int64, cursor string, limit int) (*gorm.DB, error) {
	if len(contactIDs) == 0 {
		return db.timelineItems(ctx, actor).Where("1 = 0"), nil
	}
	branches := make([]string, len(contactIDs))
	args := make([]any, len(contactIDs))
	for i, id := range contactIDs {
		b := db.with(ctx).Table("timeline_items").Select("timeline_items.*").
			Scopes(visibleTimelineItems(actor), sel.items).Where("timeline_items.contact_id = ?", id)
		b, err := pageOf(b, sel.list, cursor, limit)
		if err != nil {
			return nil, err
		}
		branches[i], args[i] = fmt.Sprintf("SELECT * FROM (?) AS page%d", i), b
	}
	q := db.with(ctx).Table("("+strings.Join(branches, " UNION ALL ")+") AS timeline_items", args...).
		Select(timelineColumns).Joins(timelineJoins).Where("contacts.id = timeline_items.contact_id").Scopes(visibleContacts(actor))
	return q.Order(timelineOrder.orderBy()).Limit(limit + 1), nil
}

// timelineRow is an item as the page query reads it.
type timelineRow struct {
	TimelineItem
	RefType            string
	RefID              *int64
	ContactDisplayName string
	ContactGivenName   string
	ContactFamilyName  string
	DataText           string `gorm:"column:data"`
}

// timelineItems is the query of the items the actor may see, of contacts
// the actor may see, with the names a view shows.
func (db *DB) timelineItems(ctx context.Context, actor Actor) *gorm.DB {
	return db.with(ctx).Table("timeline_items").Select(timelineColumns).Joins(timelineJoins).
		Where("contacts.id = timeline_items.contact_id").Scopes(visibleContacts(actor), visibleTimelineItems(actor))
}

const (
	timelineColumns = "timeline_items.*, contacts.display_name AS contact_display_name, contacts.given_name AS contact_given_name, " +
		"contacts.family_name AS contact_family_name, users.name AS actor_name, departments.name AS actor_department_name"
	// CROSS JOIN, with its condition in WHERE, is an inner join to
	// Postgres, and to SQLite also says to loop over timeline items
	// outside contacts: SQLite has no statistics to see that walking the
	// activity index beats sorting the whole history of a large set of
	// contacts found by its contacts index.
	timelineJoins = "CROSS JOIN contacts " +
		"LEFT JOIN users ON users.id = timeline_items.actor_user_id " +
		"LEFT JOIN departments ON departments.id = timeline_items.actor_department_id"
)

// pageOf pages q, newest first. list names the listing, so a cursor from
// another listing is refused.
func pageOf(q *gorm.DB, list, cursor string, limit int) (*gorm.DB, error) {
	q, err := timelineOrder.after(q, list, cursor)
	if err != nil {
		return nil, cursorProblem()
	}
	return q.Order(timelineOrder.orderBy()).Limit(limit + 1), nil
}

// timelinePage reads one page of sel.
func (db *DB) timelinePage(ctx context.Context, actor Actor, sel itemSelection, cursor string, limit int) (*TimelinePage, error) {
	limit = clampLimit(limit, 50, 200)
	q, err := db.timelinePageQuery(ctx, actor, sel, cursor, limit)
	if err != nil {
		// A contact the actor may not see is not found, whatever the cursor.
		return nil, cmp.Or(db.checkSelectedContact(ctx, actor, sel), err)
	}
	var rows []timelineRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("models: read timeline: %w", err)
	}
	if len(rows) == 0 {
		if err := db.checkSelectedContact(ctx, actor, sel); err != nil {
			return nil, err
		}
	}
	page := &TimelinePage{Items: make([]TimelineItem, 0, min(len(rows), limit))}
	for i := range rows {
		if i == limit {
			page.NextCursor = timelineOrder.cursor(sel.list, &page.Items[limit-1])
			break
		}
		page.Items = append(page.Items, rows[i].item())
	}
	if err := db.nameUnnamedContacts(ctx, page.Items); err != nil {
		return nil, err
	}
	return page, nil
}

// checkSelectedContact answers ErrNotFound when sel is the timeline of a
// contact the actor may not see. An empty page does not tell that contact
// from one with no items (yet, or none the filters keep).
func (db *DB) checkSelectedContact(ctx context.Context, actor Actor, sel itemSelection) error {
	if sel.contactID == 0 {
		return nil
	}
	return db.checkVisibleContacts(ctx, actor, []int64{sel.contactID})
}

func (r *timelineRow) item() TimelineItem {
	it := r.TimelineItem
	it.OccurredAt, it.CreatedAt, it.UpdatedAt = it.OccurredAt.UTC(), it.CreatedAt.UTC(), it.UpdatedAt.UTC()
	it.ContactName = (&Contact{DisplayName: r.ContactDisplayName, GivenName: r.ContactGivenName, FamilyName: r.ContactFamilyName}).Name()
	if r.RefID != nil {
		it.Ref = &TimelineRef{Type: r.RefType, ID: *r.RefID}
	}
	it.Data = []byte(r.DataText)
	if len(it.Data) == 0 {
		it.Data = []byte("{}")
	}
	return it
}

// nameUnnamedContacts names the contacts of items that have no name by
// their primary email or phone, as Contact.Name does; it reads only when
// needed.
func (db *DB) nameUnnamedContacts(ctx context.Context, items []TimelineItem) error {
	var ids []int64
	for _, it := range items {
		if it.ContactName == "" {
			ids = append(ids, it.ContactID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var cs []Contact
	if err := db.with(ctx).Scopes(withNameLists).Select("id").Where("id IN ?", uniqueIDs(ids)).Find(&cs).Error; err != nil {
		return fmt.Errorf("models: name timeline contacts: %w", err)
	}
	byContact := make(map[int64]string, len(cs))
	for i := range cs {
		byContact[cs[i].ID] = cs[i].Name()
	}
	for i := range items {
		if items[i].ContactName == "" {
			items[i].ContactName = byContact[items[i].ContactID]
		}
	}
	return nil
}
