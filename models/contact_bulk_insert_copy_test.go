package models_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"rapport/models"
	"rapport/models/dbtest"
)

// TestBulkTxCommitsAndRollsBackCopiedRows saves contact batches through
// BulkTx, where Postgres streams their lists and timeline items with COPY
// on the transaction's own connection: what commits reads back whole, and
// what rolls back — the whole transaction, or a savepoint inside it as a
// dry run uses — leaves no contact, email, phone, tag or item behind.
func TestBulkTxCommitsAndRollsBackCopiedRows(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		a := newTestActor(t, db, models.RoleMember, newTestDepartment(t, db, "Sales"))
		label := strings.ToLower(uniqueLabel("copy"))
		save := func(tx *models.DB, name string, n int) ([]int64, error) {
			b := models.NewContactBatch(a, "Imported from "+name+".csv")
			for i := range n {
				req := models.ContactRequest{GivenName: name, FamilyName: fmt.Sprintf("%s %d", label, i), Source: models.SourceImport,
					Tags:   []string{"vip"},
					Emails: []models.EmailInput{{Address: fmt.Sprintf("%s.%s.%d@example.com", name, label, i)}},
					Phones: []models.PhoneInput{{Number: fmt.Sprintf("+44 20 7946 %04d", i)}}}
				if err := b.Add(ctx, tx, req); err != nil {
					return nil, err
				}
			}
			return b.Flush(ctx, tx)
		}
		found := func(q string) int {
			t.Helper()
			page, err := db.Contacts(ctx, a, models.ContactListOptions{Query: q, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			return len(page.Contacts)
		}

		stop := errors.New("stop")
		var lost []int64
		err := db.BulkTx(ctx, func(tx *models.DB) error {
			var err error
			if lost, err = save(tx, "lost", 5); err != nil {
				return err
			}
			return stop
		})
		if !errors.Is(err, stop) || len(lost) != 5 {
			t.Fatalf("rolled back batch: %v %v", lost, err)
		}

		var kept []int64
		err = db.BulkTx(ctx, func(tx *models.DB) error {
			dry := tx.Tx(ctx, func(sp *models.DB) error {
				if _, err := save(sp, "dry", 5); err != nil {
					return err
				}
				return stop
			})
			if !errors.Is(dry, stop) {
				return fmt.Errorf("dry run: %w", dry)
			}
			var err error
			kept, err = save(tx, "kept", 300)
			return err
		})
		if err != nil || len(kept) != 300 {
			t.Fatalf("committed batch: %d ids, %v", len(kept), err)
		}
		if !slices.IsSorted(kept) || len(slices.Compact(slices.Clone(kept))) != len(kept) {
			t.Errorf("ids of one batch are not distinct and rising: %v", kept)
		}
		if n := found("lost." + label); n != 0 {
			t.Errorf("%d rolled-back contacts found by email", n)
		}
		if n := found("dry." + label); n != 0 {
			t.Errorf("%d contacts of a rolled-back savepoint found by email", n)
		}
		// 29 and 290–299: a page holds at most 100.
		if n := found("kept." + label + ".29"); n != 11 {
			t.Errorf("found %d committed contacts by email, want 11", n)
		}
		for _, i := range []int{0, 299} {
			c, err := db.Contact(ctx, a, kept[i])
			if err != nil {
				t.Fatal(err)
			}
			// Lists are written under the ids Flush returns; the contact
			// row under each must be the one added in that place.
			if c.FamilyName != fmt.Sprintf("%s %d", label, i) {
				t.Errorf("id %d returned for row %d holds %q", kept[i], i, c.FamilyName)
			}
			if len(c.Emails) != 1 || c.Emails[0].Address != fmt.Sprintf("kept.%s.%d@example.com", label, i) || !c.Emails[0].IsPrimary ||
				len(c.Phones) != 1 || c.Phones[0].E164 != fmt.Sprintf("+44207946%04d", i) || strings.Join(c.Tags, ",") != "vip" {
				t.Errorf("contact %d: emails %+v phones %+v tags %v", i, c.Emails, c.Phones, c.Tags)
			}
			page, err := db.Timeline(ctx, a, models.TimelineOptions{ContactID: c.ID, Limit: 10})
			if err != nil || len(page.Items) != 1 || page.Items[0].Summary != "Imported from kept.csv" {
				t.Errorf("timeline of contact %d: %+v %v", i, page, err)
			}
		}
		// SQLite indexes a batch's search text after its rows are in,
		// holding back the insert trigger meanwhile (migration 00013): the
		// first and last of the batch are found, and a contact
		// created on its own afterwards is indexed as it is inserted.
		for _, i := range []int{0, 299} {
			if n := found(fmt.Sprintf("kept.%s.%d@", label, i)); n != 1 {
				t.Errorf("found %d contacts by contact %d's email, want 1", n, i)
			}
		}
		mustCreateContact(t, db, a, models.ContactRequest{GivenName: "After", FamilyName: label + " single"})
		if n := found(label + " single"); n != 1 {
			t.Errorf("a contact created after the batches is not found by name (%d)", n)
		}
	})
}

// TestContactBatchFindCompaniesAsAddWould looks a batch's companies up in
// one query: each row links to the company a lookup per row would have
// found (the oldest of a name, accents and case aside), a new name is
// created once, and adding rows whose companies were found asks the
// database nothing.
func TestContactBatchFindCompaniesAsAddWould(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		a := newTestActor(t, db, models.RoleMember, newTestDepartment(t, db, "Sales"))
		name := uniqueLabel("Acme")
		oldest, err := db.CreateCompany(ctx, a, models.CompanyRequest{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateCompany(ctx, a, models.CompanyRequest{Name: strings.ToUpper(name)}); err != nil {
			t.Fatal(err)
		}
		fresh := uniqueLabel("Newco")
		names := []string{strings.ToUpper(name), strings.Replace(name, "A", "Á", 1), name, fresh, fresh}
		var ids []int64
		err = db.Tx(ctx, func(tx *models.DB) error {
			b := models.NewContactBatch(a, "")
			ps := make([]*models.PreparedContact, len(names))
			for i, n := range names {
				ps[i] = models.PrepareContact(a, models.ContactRequest{GivenName: fmt.Sprint("Row ", i), CompanyName: n})
			}
			if err := b.FindCompanies(ctx, tx, ps); err != nil {
				return err
			}
			before := db.Statements()
			for _, p := range ps[:3] {
				if err := b.AddPrepared(ctx, tx, p); err != nil {
					return err
				}
			}
			if n := db.Statements() - before; n != 0 {
				return fmt.Errorf("adding rows with found companies made %d statements", n)
			}
			for _, p := range ps[3:] {
				if err := b.AddPrepared(ctx, tx, p); err != nil {
					return err
				}
			}
			ids, err = b.Flush(ctx, tx)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var newco int64
		for i, id := range ids {
			c, err := db.Contact(ctx, a, id)
			if err != nil || c.CompanyID == nil {
				t.Fatalf("contact %d: %+v %v", i, c, err)
			}
			switch {
			case i < 3 && *c.CompanyID != oldest.ID:
				t.Errorf("row %d naming %q linked to company %d, want the oldest %d", i, names[i], *c.CompanyID, oldest.ID)
			case i == 3:
				newco = *c.CompanyID
			case i == 4 && *c.CompanyID != newco:
				t.Errorf("one new company name made two companies")
			}
		}
	})
}

// TestContactBatchFlushNeedsATransaction: outside one, a failure half-way
// through could leave SQLite's search-index hold behind and every later
// contact unindexed, so Flush refuses and writes nothing.
func TestContactBatchFlushNeedsATransaction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		a := newTestActor(t, db, models.RoleMember, newTestDepartment(t, db, "Sales"))
		label := strings.ToLower(uniqueLabel("notx"))
		b := models.NewContactBatch(a, "")
		if err := b.Add(ctx, db, models.ContactRequest{GivenName: "Outside", FamilyName: label}); err != nil {
			t.Fatal(err)
		}
		if ids, err := b.Flush(ctx, db); err == nil || len(ids) != 0 {
			t.Fatalf("Flush outside a transaction: %v %v", ids, err)
		}
		page, err := db.Contacts(ctx, a, models.ContactListOptions{Query: label, Limit: 10})
		if err != nil || len(page.Contacts) != 0 {
			t.Fatalf("a refused Flush wrote %d contacts (%v)", len(page.Contacts), err)
		}
		c := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "After", FamilyName: label})
		if page, _ := db.Contacts(ctx, a, models.ContactListOptions{Query: label, Limit: 10}); len(page.Contacts) != 1 || page.Contacts[0].ID != c.ID {
			t.Fatalf("the contact created afterwards is not found: %+v", page.Contacts)
		}
	})
}

// TestContactBatchFailedFlushKeepsSearchIndexing fails a batch's INSERT
// after SQLite has held the search-index trigger back (migration 00013):
// its contact names a company created in a transaction that rolled back.
// Even when the caller commits regardless, the hold must not outlive the
// failed Flush, or every contact created afterwards would be missing from
// search.
func TestContactBatchFailedFlushKeepsSearchIndexing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		a := newTestActor(t, db, models.RoleMember, newTestDepartment(t, db, "Sales"))
		label := strings.ToLower(uniqueLabel("failflush"))
		b := models.NewContactBatch(a, "")
		stop := errors.New("stop")
		err := db.Tx(ctx, func(tx *models.DB) error {
			if err := b.Add(ctx, tx, models.ContactRequest{GivenName: "Orphan", FamilyName: label, CompanyName: "Gone " + label}); err != nil {
				return err
			}
			return stop // the company goes; the queued contact still points at it
		})
		if !errors.Is(err, stop) {
			t.Fatal(err)
		}
		// Postgres ends a transaction at its first error, so only SQLite
		// commits here; either way the Flush itself must fail.
		_ = db.BulkTx(ctx, func(tx *models.DB) error {
			if ids, err := b.Flush(ctx, tx); err == nil {
				t.Errorf("Flush of a contact whose company is gone wrote %v", ids)
			}
			return nil
		})
		mustCreateContact(t, db, a, models.ContactRequest{GivenName: "After", FamilyName: label + " single"})
		// Counted, because a short list is searched row by row before
		// the index is asked.
		if n, err := db.CountContacts(ctx, a, models.ContactListOptions{Query: label + " single"}); err != nil || n != 1 {
			t.Fatalf("search counts %d contacts created after the failed batch, want 1 (%v)", n, err)
		}
	})
}

// TestContactBatchSearchTextNamesTheCompany checks the search text a
// batch writes, which is worked out ahead for the company a row names:
// a row naming a company by its domain links to that company and is
// found by the company's name, as CreateContact's contact would be; a
// row naming a new company, spaces around, is found by that name.
func TestContactBatchSearchTextNamesTheCompany(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		a := newTestActor(t, db, models.RoleMember, newTestDepartment(t, db, "Sales"))
		label := strings.ToLower(uniqueLabel("cokeys"))
		domain := label + ".example"
		if _, err := db.CreateCompany(ctx, a, models.CompanyRequest{Name: "Zephyr " + label, Domain: domain}); err != nil {
			t.Fatal(err)
		}
		err := db.BulkTx(ctx, func(tx *models.DB) error {
			b := models.NewContactBatch(a, "")
			for _, req := range []models.ContactRequest{
				{GivenName: "Ann", FamilyName: label, CompanyName: domain},
				{GivenName: "Bob", FamilyName: label, CompanyName: "  Quillon " + label + " "},
			} {
				if err := b.Add(ctx, tx, req); err != nil {
					return err
				}
			}
			_, err := b.Flush(ctx, tx)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		// Counted: a short list is searched row by row before the index.
		for q, want := range map[string]int64{"zephyr " + label: 1, "quillon " + label: 1, domain: 0} {
			if n, err := db.CountContacts(ctx, a, models.ContactListOptions{Query: q}); err != nil || n != want {
				t.Errorf("search %q counts %d contacts, want %d (%v)", q, n, want, err)
			}
		}
	})
}
