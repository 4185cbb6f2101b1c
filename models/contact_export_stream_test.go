package models_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"rapport/models"
	"rapport/models/dbtest"
)

// TestExportStreamMatchesBatches exports a database's every contact the
// way a full export reads them (on Postgres one streamed statement) and
// the batched way (inside a transaction EachContact always batches), and
// requires the same contacts, in the same order, with every field and
// detail the same: the two paths must be interchangeable for whoever
// downloads the file. It also checks what both must do regardless:
// visibility by department, deleted contacts left out, batches of at most
// 500 with no contact twice, and an error from the writer ending the walk.
func TestExportStreamMatchesBatches(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		sales := newTestDepartment(t, db, "Sales")
		insider := newTestActor(t, db, models.RoleMember, sales)
		outsider := newTestActor(t, db, models.RoleMember)
		co, err := db.CreateCompany(ctx, insider, models.CompanyRequest{Name: "Zürich Précision AG", Domain: "zp.example",
			Industry: "Tools", Tags: []string{"key account", "dach"}})
		if err != nil {
			t.Fatal(err)
		}
		admin := newTestActor(t, db, models.RoleAdmin)
		if _, err := db.CreateCustomFieldDef(ctx, admin, models.CustomFieldDefRequest{Key: "shoe_size", Label: "Shoe size", Kind: models.CustomFieldText}); err != nil {
			t.Fatal(err)
		}
		last := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
		rich := mustCreateContact(t, db, insider, models.ContactRequest{GivenName: "Zoë", FamilyName: "Ångström",
			CompanyID: &co.ID, JobTitle: "Buyer", Birthday: "1980-02-29", About: "Two lines:\nsecond, \"quoted\"",
			CustomFields: map[string]string{"shoe_size": "44"}, LastContactedAt: &last,
			Emails: []models.EmailInput{{Address: "zoe@zp.example", Label: "work"}, {Address: "zoe@home.example", Label: "home", Primary: true},
				{Address: "z@third.example"}},
			Phones: []models.PhoneInput{{Number: "+41 44 668 18 00", Label: "office", Primary: true}, {Number: "+41 79 123 45 67"}},
			Addresses: []models.AddressInput{{Label: "work", Street: "Bahnhofstrasse 1", City: "Zürich", PostalCode: "8001", Country: "CH"},
				{Label: "home", City: "Basel"}, {Street: "Third way 3"}},
			Tags: []string{"VIP", "alpha", "Ölkunde"},
			SocialProfiles: []models.SocialProfileInput{{URL: "https://github.com/zoe"},
				{URL: "https://blog.zp.example/", FeedURL: "https://blog.zp.example/feed.xml"}}})
		secret := mustCreateContact(t, db, insider, models.ContactRequest{GivenName: "Sam", FamilyName: "Secret", RestrictedDepartmentID: &sales,
			Emails: []models.EmailInput{{Address: "sam@secret.example"}}})
		gone := mustCreateContact(t, db, insider, models.ContactRequest{GivenName: "Gone", FamilyName: "Deleted"})
		if err := db.DeleteContact(ctx, insider, gone.ID); err != nil {
			t.Fatal(err)
		}
		// Enough plain contacts, sharing the company, to span three batches.
		err = db.BulkTx(ctx, func(tx *models.DB) error {
			b := models.NewContactBatch(insider, "Imported from many.csv")
			for i := range 1100 {
				req := models.ContactRequest{GivenName: "Many", FamilyName: fmt.Sprintf("Person %04d", i), Source: models.SourceImport,
					Emails: []models.EmailInput{{Address: fmt.Sprintf("many%d@example.com", i)}}}
				if i%3 == 0 {
					req.CompanyID, req.Tags = &co.ID, []string{"bulk"}
				}
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

		for _, who := range []struct {
			name  string
			actor models.Actor
			want  int
		}{{"insider", insider, 1102}, {"outsider", outsider, 1101}} {
			t.Run(who.name, func(t *testing.T) {
				before := db.Statements()
				full, sizes := exportAll(t, db, who.actor, false)
				if db.Dialect() == "postgres" && db.Statements()-before != 1 {
					t.Errorf("a full export on Postgres ran %d statements, want the one streamed statement", db.Statements()-before)
				}
				batched, _ := exportAll(t, db, who.actor, true)
				if len(full) != who.want {
					t.Fatalf("exported %d contacts, want %d", len(full), who.want)
				}
				for _, n := range sizes {
					if n > 500 {
						t.Fatalf("a batch of %d contacts: want at most 500 (sizes %v)", n, sizes)
					}
				}
				seen := map[int64]bool{}
				for i, c := range full {
					if seen[c.ID] || c.ID == gone.ID {
						t.Fatalf("contact %d (%s) exported twice, or though deleted", c.ID, c.Name())
					}
					seen[c.ID] = true
					if i > 0 && full[i-1].NameKey > c.NameKey {
						t.Fatalf("not in name order: %q before %q", full[i-1].NameKey, c.NameKey)
					}
				}
				if seen[secret.ID] != (who.name == "insider") {
					t.Errorf("restricted contact exported to %s: %v", who.name, seen[secret.ID])
				}
				if len(batched) != len(full) {
					t.Fatalf("batched path: %d contacts, streamed: %d", len(batched), len(full))
				}
				for i := range full {
					if !reflect.DeepEqual(inUTC(full[i]), inUTC(batched[i])) {
						t.Fatalf("contact %d differs:\nfull:    %+v\nbatched: %+v", full[i].ID, inUTC(full[i]), inUTC(batched[i]))
					}
				}
				at := slices.IndexFunc(full, func(c models.Contact) bool { return c.ID == rich.ID })
				if at < 0 {
					t.Fatalf("contact %d not exported", rich.ID)
				}
				got := full[at]
				if len(got.Emails) != 3 || got.PrimaryEmail().Address != "zoe@home.example" || len(got.Phones) != 2 ||
					len(got.Addresses) != 3 || len(got.Tags) != 3 || len(got.SocialProfiles) != 2 ||
					got.Company == nil || got.Company.Name != "Zürich Précision AG" || len(got.Company.Tags) != 2 ||
					got.CustomFields["shoe_size"] != "44" || got.LastContactedAt == nil || !got.LastContactedAt.Equal(last) {
					t.Errorf("the richest contact lost details: %+v", got)
				}
			})
		}

		stop := errors.New("disk full")
		calls := 0
		err = db.EachContact(ctx, insider, models.ContactListOptions{}, func([]models.Contact) error {
			calls++
			if calls == 2 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || calls != 2 {
			t.Fatalf("a writer's error: EachContact returned %v after %d batches, want it after 2", err, calls)
		}
		// The connection the walk used is back and usable.
		if _, err := db.CountContacts(ctx, insider, models.ContactListOptions{}); err != nil {
			t.Fatalf("after a stopped export: %v", err)
		}
		cctx, cancel := context.WithCancel(ctx)
		err = db.EachContact(cctx, insider, models.ContactListOptions{}, func([]models.Contact) error {
			cancel()
			return nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("a cancelled export returned %v, want context.Canceled", err)
		}
		// Inside a transaction too, when the batch fn saw was the last
		// one (one contact, found by its email).
		err = db.Tx(ctx, func(tx *models.DB) error {
			cctx, cancel := context.WithCancel(ctx)
			defer cancel()
			return tx.EachContact(cctx, insider, models.ContactListOptions{Email: "zoe@home.example"}, func([]models.Contact) error {
				cancel()
				return nil
			})
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("a cancelled export in a transaction returned %v, want context.Canceled", err)
		}
	})
}

// exportAll collects what EachContact hands out for everything actor
// sees, and the batch sizes; batched runs it inside a transaction.
func exportAll(t *testing.T, db *models.DB, actor models.Actor, batched bool) ([]models.Contact, []int) {
	t.Helper()
	var (
		out   []models.Contact
		sizes []int
	)
	collect := func(cs []models.Contact) error {
		sizes = append(sizes, len(cs))
		for _, c := range cs {
			if c.Company != nil {
				co := *c.Company
				c.Company = &co
			}
			out = append(out, c)
		}
		return nil
	}
	var err error
	if batched {
		err = db.Tx(context.Background(), func(tx *models.DB) error {
			return tx.EachContact(context.Background(), actor, models.ContactListOptions{}, collect)
		})
	} else {
		err = db.EachContact(context.Background(), actor, models.ContactListOptions{}, collect)
	}
	if err != nil {
		t.Fatal(err)
	}
	return out, sizes
}

// inUTC is c with its times in UTC, since drivers differ in the location
// they attach to a time they read, which says nothing about the instant.
func inUTC(c models.Contact) models.Contact {
	utc := func(t *time.Time) {
		if t != nil {
			*t = t.UTC()
		}
	}
	utc(&c.CreatedAt)
	utc(&c.UpdatedAt)
	if c.LastContactedAt != nil {
		v := c.LastContactedAt.UTC()
		c.LastContactedAt = &v
	}
	if c.DeletedAt != nil {
		v := c.DeletedAt.UTC()
		c.DeletedAt = &v
	}
	if c.Company != nil {
		co := *c.Company
		utc(&co.CreatedAt)
		utc(&co.UpdatedAt)
		c.Company = &co
	}
	sp := make([]models.SocialProfile, len(c.SocialProfiles))
	for i, p := range c.SocialProfiles {
		p.CreatedAt = p.CreatedAt.UTC()
		sp[i] = p
	}
	if c.SocialProfiles != nil {
		c.SocialProfiles = sp
	}
	return c
}
