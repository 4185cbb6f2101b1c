package models

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// exportBatch is how many contacts EachContact loads at a time. Each batch
// costs seven statements whatever its size, so bigger batches spread that
// cost thinner, but not past 500: with 2,000 ids in its IN list Postgres
// read each detail table whole (≈430 ms a batch), and SQLite binds
// parameters in time quadratic in their number. Three batches of 500 fully
// loaded contacts are well under a few MB, whatever the export's size.
const exportBatch = 500

// EachContact calls fn with successive batches of the contacts opts selects
// among those the actor may see, in the list's order (opts.Sort, name when
// empty), fully loaded (emails, phones, addresses, tags, social profiles,
// company) except for SearchText, which an export never needs. It walks the
// list by keyset, so an export of a million contacts reads each once, and
// stops at the end of the list or at fn's first error. Contacts of one
// batch that share a company share its *Company; fn must not keep a batch
// past its return.
//
// Unlike Contacts it scans rows itself instead of through GORM's
// reflection and Preload, which were most of an export's CPU time: the
// list query and one query per detail table, each keyed by the batch's IDs.
// Outside a transaction the next batch loads while fn handles this one, so
// at most three batches are in memory. An export of everything the actor
// sees on Postgres is read in one statement instead (eachContactStream).
func (db *DB) EachContact(ctx context.Context, actor Actor, opts ContactListOptions, fn func([]Contact) error) error {
	if opts.Sort == "" {
		opts.Sort = ContactSortName
	}
	order, ok := contactOrders[opts.Sort]
	if !ok {
		return sortProblem("name, updated, created or last_contacted")
	}
	if db.streamsExport(opts) {
		return db.eachContactStream(ctx, actor, opts, order, fn)
	}
	// load reads the batch after cursor, with its details.
	load := func(ctx context.Context, cursor string) ([]Contact, error) {
		q, err := db.contactFilter(ctx, actor, opts)
		if err != nil {
			return nil, err
		}
		if q, err = order.after(q, string(opts.Sort), cursor); err != nil {
			return nil, cursorProblem()
		}
		rows, err := q.Select(exportContactColumns).Order(order.orderBy()).Limit(exportBatch).Rows()
		if err != nil {
			return nil, fmt.Errorf("models: export contacts: %w", err)
		}
		cs, err := scanExportContacts(rows)
		if err != nil || len(cs) == 0 {
			return nil, err
		}
		return cs, db.loadExportDetails(ctx, cs)
	}
	last := func(cs []Contact) string { return order.cursor(string(opts.Sort), &cs[len(cs)-1]) }

	if db.inTx() {
		// A transaction is one connection: one statement at a time.
		for cursor := ""; ; {
			cs, err := load(ctx, cursor)
			if err == nil && len(cs) > 0 {
				err = fn(cs)
			}
			if err != nil {
				return err
			}
			if len(cs) < exportBatch {
				return ctx.Err()
			}
			cursor = last(cs)
		}
	}

	type batch struct {
		cs  []Contact
		err error
	}
	ctx, cancel := context.WithCancel(ctx)
	batches := make(chan batch, 1)
	defer func() {
		// Stop the loader and wait for it, so that no query outlives the call.
		cancel()
		for range batches {
		}
	}()
	go func() {
		defer close(batches)
		for cursor := ""; ; {
			cs, err := load(ctx, cursor)
			if err == nil && len(cs) == 0 {
				return
			}
			select {
			case batches <- batch{cs, err}:
			case <-ctx.Done():
				return
			}
			if err != nil || len(cs) < exportBatch {
				return
			}
			cursor = last(cs)
		}
	}()
	for b := range batches {
		if b.err != nil {
			return b.err
		}
		if err := fn(b.cs); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// ExportNumber is the phone number as an export writes it: as typed when
// that starts with its country code, else in international format, so that
// an import reads it back to the same number whatever country it takes
// numbers without a country code to be in.
func (p ContactPhone) ExportNumber() string {
	if strings.HasPrefix(strings.TrimSpace(p.Number), "+") {
		return p.Number
	}
	if n, ok := e164Number(p.E164); ok {
		// An extension is not part of the E.164 form: read it again from
		// the number as typed, in the country the number is of.
		if strings.ContainsFunc(p.Number, unicode.IsLetter) || strings.ContainsAny(p.Number, ",;#") {
			if full, err := phonenumbers.Parse(p.Number, phonenumbers.GetRegionCodeForNumber(n)); err == nil && full.GetExtension() != "" {
				return phonenumbers.Format(full, phonenumbers.INTERNATIONAL)
			}
		}
		return phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
	}
	return p.Number
}

// MostAddresses returns the number of addresses of the contact with the
// most among those opts selects that the actor may see, or least when none
// has more, so that a CSV export has a column group for each. Only
// addresses past the first least are read: few contacts have them, so the
// query stays cheap on a large export.
func (db *DB) MostAddresses(ctx context.Context, actor Actor, opts ContactListOptions, least int) (int, error) {
	q, err := db.contactFilter(ctx, actor, opts)
	if err != nil {
		return 0, err
	}
	var last sql.NullInt64
	err = db.with(ctx).Table("contact_addresses").Select("MAX(position)").
		Where("position >= ? AND contact_id IN (?)", least, q.Select("contacts.id")).Scan(&last).Error
	if err != nil {
		return 0, fmt.Errorf("models: addresses of the exported contacts: %w", err)
	}
	if last.Valid {
		return max(least, int(last.Int64)+1), nil
	}
	return least, nil
}

// exportContactColumns are the contact columns EachContact reads, in
// scanExportContacts' order: all but search_text.
const exportContactColumns = "contacts.id, contacts.given_name, contacts.family_name, contacts.display_name, " +
	"contacts.job_title, contacts.company_id, contacts.birthday, contacts.about, contacts.owner_id, contacts.source, " +
	"contacts.restricted_department_id, contacts.custom_fields, contacts.last_contacted_at, contacts.version, " +
	"contacts.created_at, contacts.updated_at, contacts.deleted_at, contacts.merged_into_id, contacts.name_key"

func scanExportContacts(rows *sql.Rows) ([]Contact, error) {
	defer rows.Close()
	cs := make([]Contact, 0, exportBatch)
	for rows.Next() {
		cs = append(cs, Contact{})
		if err := scanExportContact(rows.Scan, &cs[len(cs)-1]); err != nil {
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("models: export contacts: %w", err)
	}
	return cs, nil
}

// scanExportContact scans one row of exportContactColumns into c, and the
// row's further columns into more. Tags start empty, not nil: a contact
// without tags exports as one.
func scanExportContact(scan func(dest ...any) error, c *Contact, more ...any) error {
	var (
		companyID, ownerID, deptID, mergedID sql.NullInt64
		lastContacted, deleted               sql.NullTime
		custom                               []byte
	)
	dest := append([]any{&c.ID, &c.GivenName, &c.FamilyName, &c.DisplayName, &c.JobTitle, &companyID, &c.Birthday,
		&c.About, &ownerID, &c.Source, &deptID, &custom, &lastContacted, &c.Version, &c.CreatedAt, &c.UpdatedAt,
		&deleted, &mergedID, &c.NameKey}, more...)
	if err := scan(dest...); err != nil {
		return fmt.Errorf("models: export contacts: %w", err)
	}
	c.CompanyID, c.OwnerID = nullableID(companyID), nullableID(ownerID)
	c.RestrictedDepartmentID, c.MergedIntoID = nullableID(deptID), nullableID(mergedID)
	c.LastContactedAt, c.DeletedAt = nullableTime(lastContacted), nullableTime(deleted)
	// Most contacts have no custom fields: skip the decoder for "{}".
	if len(custom) > 2 {
		if err := json.Unmarshal(custom, &c.CustomFields); err != nil {
			return fmt.Errorf("models: export contact %d: custom fields: %w", c.ID, err)
		}
	}
	if c.Tags == nil {
		c.Tags = []string{}
	}
	return nil
}

func nullableID(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	return &n.Int64
}

func nullableTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	return &t.Time
}

// loadExportDetails fills in each contact's company, emails, phones, tags,
// addresses and social profiles: one statement per table for the batch.
// Outside a transaction the six run at once, each on its own connection,
// so a batch waits for the slowest rather than for all six in turn: an
// export spends most of its time waiting on round trips.
func (db *DB) loadExportDetails(ctx context.Context, cs []Contact) error {
	ids := make([]int64, len(cs))
	at := make(map[int64]*Contact, len(cs))
	for i := range cs {
		ids[i], at[cs[i].ID] = cs[i].ID, &cs[i]
	}
	// Each loader writes one field of the contacts, so they never touch
	// the same memory.
	loaders := []func() error{
		func() error { return db.loadExportCompanies(ctx, cs) },
		func() error {
			var e ContactEmail
			return db.scanDetails(ctx, "emails", "SELECT id, contact_id, address, address_key, label, is_primary, position "+
				"FROM contact_emails WHERE contact_id IN ? ORDER BY contact_id, position, id", ids,
				[]any{&e.ID, &e.ContactID, &e.Address, &e.AddressKey, &e.Label, &e.IsPrimary, &e.Position}, func() {
					c := at[e.ContactID]
					c.Emails = append(c.Emails, e)
				})
		},
		func() error {
			var p ContactPhone
			return db.scanDetails(ctx, "phones", "SELECT id, contact_id, number, e164, label, is_primary, position "+
				"FROM contact_phones WHERE contact_id IN ? ORDER BY contact_id, position, id", ids,
				[]any{&p.ID, &p.ContactID, &p.Number, &p.E164, &p.Label, &p.IsPrimary, &p.Position}, func() {
					c := at[p.ContactID]
					c.Phones = append(c.Phones, p)
				})
		},
		func() error {
			var contactID int64
			var tag string
			return db.scanDetails(ctx, "tags", "SELECT contact_id, tag FROM contact_tags WHERE contact_id IN ? ORDER BY contact_id, tag_key", ids,
				[]any{&contactID, &tag}, func() {
					c := at[contactID]
					c.Tags = append(c.Tags, tag)
				})
		},
		func() error {
			var a ContactAddress
			return db.scanDetails(ctx, "addresses", "SELECT id, contact_id, label, street, city, region, postal_code, country, position "+
				"FROM contact_addresses WHERE contact_id IN ? ORDER BY contact_id, position, id", ids,
				[]any{&a.ID, &a.ContactID, &a.Label, &a.Street, &a.City, &a.Region, &a.PostalCode, &a.Country, &a.Position}, func() {
					c := at[a.ContactID]
					c.Addresses = append(c.Addresses, a)
				})
		},
		func() error {
			var sp SocialProfile
			return db.scanDetails(ctx, "social profiles", "SELECT id, contact_id, network, handle, url, feed_url, position, created_at "+
				"FROM social_profiles WHERE contact_id IN ? ORDER BY contact_id, position, id", ids,
				[]any{&sp.ID, &sp.ContactID, &sp.Network, &sp.Handle, &sp.URL, &sp.FeedURL, &sp.Position, &sp.CreatedAt}, func() {
					c := at[sp.ContactID]
					c.SocialProfiles = append(c.SocialProfiles, sp)
				})
		},
	}
	if db.inTx() {
		// A transaction is one connection: one statement at a time.
		for _, load := range loaders {
			if err := load(); err != nil {
				return err
			}
		}
		return nil
	}
	errs := make([]error, len(loaders))
	var wg sync.WaitGroup
	for i, load := range loaders {
		wg.Go(func() { errs[i] = load() })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// loadExportCompanies sets each contact's Company, loading each company
// of the batch once.
func (db *DB) loadExportCompanies(ctx context.Context, cs []Contact) error {
	companies := map[int64]*Company{}
	for i := range cs {
		if id := cs[i].CompanyID; id != nil {
			companies[*id] = nil
		}
	}
	if len(companies) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(companies))
	for id := range companies {
		ids = append(ids, id)
	}
	var list []Company
	if err := db.with(ctx).Where("id IN ?", ids).Find(&list).Error; err != nil {
		return fmt.Errorf("models: export companies: %w", err)
	}
	for i := range list {
		companies[list[i].ID] = &list[i]
	}
	for i := range cs {
		if id := cs[i].CompanyID; id != nil {
			cs[i].Company = companies[*id]
		}
	}
	return nil
}

// scanDetails runs query for the batch's ids, scans each row into dest and
// calls add, which copies what dest points to where it belongs.
func (db *DB) scanDetails(ctx context.Context, what, query string, ids []int64, dest []any, add func()) error {
	rows, err := db.with(ctx).Raw(query, ids).Rows()
	if err != nil {
		return fmt.Errorf("models: export %s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("models: export %s: %w", what, err)
		}
		add()
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("models: export %s: %w", what, err)
	}
	return nil
}
