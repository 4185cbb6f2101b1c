package models

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// ContactSort names an order of the contact list.
type ContactSort string

// Contact list orders. Name is A to Z by family name; the others are
// newest first, and contacts never contacted come last.
const (
	ContactSortName          ContactSort = "name"
	ContactSortUpdated       ContactSort = "updated"
	ContactSortCreated       ContactSort = "created"
	ContactSortLastContacted ContactSort = "last_contacted"
)

var contactOrders = map[ContactSort]keyset[Contact]{
	ContactSortName: {column: "contacts.name_key", idColumn: "contacts.id",
		value: func(c *Contact) any { return c.NameKey }, rowID: contactID},
	ContactSortUpdated: {column: "contacts.updated_at", idColumn: "contacts.id", desc: true, isTime: true,
		value: func(c *Contact) any { return c.UpdatedAt }, rowID: contactID},
	ContactSortCreated: {column: "contacts.created_at", idColumn: "contacts.id", desc: true, isTime: true,
		value: func(c *Contact) any { return c.CreatedAt }, rowID: contactID},
	ContactSortLastContacted: {column: "contacts.last_contacted_at", idColumn: "contacts.id", desc: true, isTime: true, nullable: true,
		value: func(c *Contact) any { return c.LastContactedAt }, rowID: contactID},
}

func contactID(c *Contact) int64 { return c.ID }

// ContactListOptions filters, orders and pages the contact list. Empty
// fields do not filter.
type ContactListOptions struct {
	// Query matches parts of names, emails, phone numbers (digits in any
	// format), the company name, tags and the job title, ignoring case and
	// accents; every word must match. Queries shorter than three letters
	// match the start of the family name (or display name) instead.
	Query     string
	Tag       string // ignoring case
	CompanyID int64
	OwnerID   int64
	// Email and Phone find contacts with exactly that address or number;
	// Phone is read as ParsePhone reads it, in PhoneRegion.
	Email       string
	Phone       string
	PhoneRegion string
	// IDs keeps only these contacts (a selection); at most 1,000.
	IDs []int64
	// ActiveDepartmentID keeps contacts with timeline items done for that
	// department, among the items the actor may see.
	ActiveDepartmentID int64
	// LastContactedFrom (inclusive) and LastContactedTo (exclusive) bound
	// LastContactedAt; contacts never contacted drop out when either is set.
	LastContactedFrom, LastContactedTo time.Time
	Sort                               ContactSort // name when empty
	// Cursor continues a listing from ContactPage.NextCursor of the
	// previous page, with the same options.
	Cursor string
	Limit  int // 50 when zero, at most 200
}

// ContactPage is one page of contacts, each with its emails, phones, tags
// and company (not addresses or profiles: load the contact for those).
type ContactPage struct {
	Contacts []Contact `json:"contacts"`
	// NextCursor fetches the next page; empty on the last page.
	NextCursor string `json:"next_cursor,omitempty"`
}

// Contacts lists the contacts the actor may see that match opts, one page
// at a time.
func (db *DB) Contacts(ctx context.Context, actor Actor, opts ContactListOptions) (*ContactPage, error) {
	if opts.Sort == "" {
		opts.Sort = ContactSortName
	}
	order, ok := contactOrders[opts.Sort]
	if !ok {
		return nil, sortProblem("name, updated, created or last_contacted")
	}
	limit := clampLimit(opts.Limit, 50, 200)
	cs, err := db.findContacts(ctx, actor, opts, order, limit+1)
	if err != nil {
		return nil, err
	}
	page := &ContactPage{Contacts: cs}
	if len(cs) > limit {
		page.Contacts = cs[:limit]
		page.NextCursor = order.cursor(string(opts.Sort), &page.Contacts[limit-1])
	}
	if err := db.loadTags(ctx, page.Contacts); err != nil {
		return nil, err
	}
	return page, nil
}

// searchWalk is how many rows of a list, in the list's order, a search
// reads before it turns to the search index. See findContacts.
const searchWalk = 2000

// findContacts loads up to n contacts of the list opts describes, from
// its cursor on, with emails, phones and company.
//
// A search has two ways to find its first page, and each is slow where the
// other is fast. Walking the list in order and testing each row stops as
// soon as the page is full: quick when matches are common early in the
// list ("acme" at one contact in ten), but a common name that sorts late
// ("Müller", 2% of a million contacts, all under M) walks half the table
// first. Asking the trigram index collects every match and sorts them:
// quick for rare words, but it fetches and sorts tens of thousands of rows
// for a common one. The Postgres planner chooses between the two from
// estimates that cannot see where matches fall in the order, and its wrong
// guesses took over a second. So the choice is made here, with a bound:
// walk at most searchWalk rows; if that does not fill the page, continue
// after the last match through the index, which then only has to sort the
// matches that remain.
func (db *DB) findContacts(ctx context.Context, actor Actor, opts ContactListOptions, order keyset[Contact], n int) ([]Contact, error) {
	search := searchTerms(opts.Query)
	query := opts.Query
	opts.Query = ""
	list := func(cursor string) (*gorm.DB, error) {
		q, err := db.contactFilter(ctx, actor, opts)
		if err != nil {
			return nil, err
		}
		if q, err = order.after(q, string(opts.Sort), cursor); err != nil {
			return nil, cursorProblem()
		}
		return q, nil
	}
	find := func(q *gorm.DB, n int) ([]Contact, error) {
		var cs []Contact
		err := q.Preload("Emails", byPosition).Preload("Phones", byPosition).Preload("Company").
			Order(order.orderBy()).Limit(n).Find(&cs).Error
		if err != nil {
			return nil, fmt.Errorf("models: list contacts: %w", err)
		}
		return cs, nil
	}
	q, err := list(opts.Cursor)
	if err != nil {
		return nil, err
	}
	if !indexedSearch(search) {
		return find(db.contactSearch(q, query), n)
	}

	// The walk: the next searchWalk rows of the list, tested with LIKE on
	// both databases (the index cannot help with rows already in hand).
	walk := db.with(ctx).Table("(?) AS contacts", q.Order(order.orderBy()).Limit(searchWalk))
	for _, t := range search {
		cond, arg := likeContains("contacts.search_text", t)
		walk = walk.Where(cond, arg)
	}
	cs, err := find(walk, n)
	if err != nil || len(cs) == n {
		return cs, err
	}

	// The index, from the last match on. The fence keeps the planner from
	// turning this back into a walk in list order.
	cursor := opts.Cursor
	if len(cs) > 0 {
		cursor = order.cursor(string(opts.Sort), &cs[len(cs)-1])
	}
	if q, err = list(cursor); err != nil {
		return nil, err
	}
	rest, err := find(db.with(ctx).Table("(?"+db.dialect.planFence()+") AS contacts", db.contactSearch(q, query)), n-len(cs))
	if err != nil {
		return nil, err
	}
	return append(cs, rest...), nil
}

// maxSelection bounds a list of chosen contacts.
const maxSelection = 1000

// CountContacts counts the contacts the actor may see that match opts
// (Sort, Cursor and Limit aside).
func (db *DB) CountContacts(ctx context.Context, actor Actor, opts ContactListOptions) (int64, error) {
	q, err := db.contactFilter(ctx, actor, opts)
	if err != nil {
		return 0, err
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		return 0, fmt.Errorf("models: count contacts: %w", err)
	}
	return n, nil
}

// contactFilter is the query of the contacts opts selects among those the
// actor may see.
func (db *DB) contactFilter(ctx context.Context, actor Actor, opts ContactListOptions) (*gorm.DB, error) {
	q := db.with(ctx).Model(&Contact{}).Scopes(visibleContacts(actor))
	if opts.Query != "" {
		q = db.contactSearch(q, opts.Query)
	}
	if opts.Tag != "" {
		q = q.Where("contacts.id IN (SELECT contact_id FROM contact_tags WHERE tag_key = ?)", tagKey(strings.TrimSpace(opts.Tag)))
	}
	if opts.CompanyID != 0 {
		q = q.Where("contacts.company_id = ?", opts.CompanyID)
	}
	if opts.OwnerID != 0 {
		q = q.Where("contacts.owner_id = ?", opts.OwnerID)
	}
	if len(opts.IDs) > 0 {
		if len(opts.IDs) > maxSelection {
			return nil, &ValidationError{Fields: map[string]string{"ids": fmt.Sprintf("Select at most %d contacts at once.", maxSelection)}}
		}
		q = q.Where("contacts.id IN ?", opts.IDs)
	}
	if opts.Email != "" {
		q = q.Where("contacts.id IN (SELECT contact_id FROM contact_emails WHERE address_key = ?)", EmailKey(opts.Email))
	}
	if opts.Phone != "" {
		e164, msg := ParsePhone(strings.TrimSpace(opts.Phone), opts.PhoneRegion)
		if msg != "" {
			return nil, &ValidationError{Fields: map[string]string{"phone": msg}}
		}
		q = q.Where("contacts.id IN (SELECT contact_id FROM contact_phones WHERE e164 = ?)", e164)
	}
	if opts.ActiveDepartmentID != 0 {
		// Correlated, so each listed contact is checked through its own
		// items (timeline_items_contact_idx) while the page walks the
		// list's order, instead of collecting a department's whole history.
		items := db.with(ctx).Table("timeline_items").Select("1").Scopes(visibleTimelineItems(actor)).
			Where("timeline_items.contact_id = contacts.id AND timeline_items.actor_department_id = ?", opts.ActiveDepartmentID)
		q = q.Where("EXISTS (?)", items)
	}
	from, to := opts.LastContactedFrom, opts.LastContactedTo
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		return nil, &ValidationError{Fields: map[string]string{"last_contacted_to": "Choose an end after the start of the last-contacted range."}}
	}
	if !from.IsZero() {
		q = q.Where("contacts.last_contacted_at >= ?", from.UTC())
	}
	if !to.IsZero() {
		q = q.Where("contacts.last_contacted_at < ?", to.UTC())
	}
	return q, nil
}

// indexedSearch reports whether a search has a term the trigram index
// can answer.
func indexedSearch(terms []string) bool {
	for _, t := range terms {
		if utf8.RuneCountInString(t) >= minTrigramTerm {
			return true
		}
	}
	return false
}

// contactSearch narrows q to contacts matching every word of query. Words
// of three or more characters go to the dialect's trigram index; shorter
// ones then filter what it found. A query made only of short words cannot
// use trigrams and matches the start of the name key instead, so typing
// "al" lists the Álvarezes.
func (db *DB) contactSearch(q *gorm.DB, query string) *gorm.DB {
	terms := searchTerms(query)
	var long, short []string
	for _, t := range terms {
		if utf8.RuneCountInString(t) >= minTrigramTerm {
			long = append(long, t)
		} else {
			short = append(short, t)
		}
	}
	if len(long) == 0 {
		if len(short) == 0 {
			return q
		}
		cond, args := prefixRange("contacts.name_key", searchKey(query))
		return q.Where(cond, args...)
	}
	cond, args := db.dialect.contactSearch(long)
	q = q.Where(cond, args...)
	for _, t := range short {
		cond, arg := likeContains("contacts.search_text", t)
		q = q.Where(cond, arg)
	}
	return q
}
