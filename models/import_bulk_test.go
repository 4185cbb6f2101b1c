package models_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"rapport/models"
	"rapport/models/dbtest"
)

// TestContactBatchWritesWhatCreateContactWrites creates contacts through a
// batch and checks each reads back as CreateContact would have saved it:
// normalised lists, a company found or created once, search text, and its
// creation on the timeline; and that an invalid request is refused alone.
// It does so in a plain transaction and in a BulkTx, where Postgres copies
// the contacts in with ids drawn beforehand instead of inserting them.
func TestContactBatchWritesWhatCreateContactWrites(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		for _, how := range []struct {
			name  string
			tx    func(context.Context, func(*models.DB) error) error
			phone int
		}{{"Tx", db.Tx, 10}, {"BulkTx", db.BulkTx, 20}} {
			t.Run(how.name, func(t *testing.T) { testContactBatchWrites(t, db, how.tx, how.phone) })
		}
	})
}

// testContactBatchWrites saves three contacts through inTx, with phone
// numbers ending in phone, phone+1 and phone+2 (two digits each).
func testContactBatchWrites(t *testing.T, db *models.DB, inTx func(context.Context, func(*models.DB) error) error, phone int) {
	ctx := context.Background()
	sales := newTestDepartment(t, db, "Sales")
	a := newTestActor(t, db, models.RoleMember, sales)
	company := uniqueLabel("Bulk Co")
	label := strings.ToLower(uniqueLabel("bulk"))
	var ids []int64
	err := inTx(ctx, func(tx *models.DB) error {
		b := models.NewContactBatch(a, "Imported from people.csv")
		for i := range 3 {
			req := models.ContactRequest{GivenName: "Zoë", FamilyName: fmt.Sprintf("Ångström %d", i), CompanyName: company,
				Source: models.SourceImport, Tags: []string{"VIP", "vip", "renewal"},
				Emails: []models.EmailInput{{Address: fmt.Sprintf(" %s.%d@Example.COM ", label, i)}},
				Phones: []models.PhoneInput{{Number: "(212) 555-01" + fmt.Sprint(phone+i)}}}
			if err := b.Add(ctx, tx, req); err != nil {
				return err
			}
		}
		if err := b.Add(ctx, tx, models.ContactRequest{About: "no name"}); err == nil {
			return fmt.Errorf("a contact without name or email was accepted")
		}
		if b.Len() != 3 {
			return fmt.Errorf("queued %d, want 3", b.Len())
		}
		var err error
		ids, err = b.Flush(ctx, tx)
		return err
	})
	if err != nil || len(ids) != 3 {
		t.Fatalf("batch: %v %v", ids, err)
	}
	var companyID int64
	for i, id := range ids {
		c, err := db.Contact(ctx, a, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.FamilyName != fmt.Sprintf("Ångström %d", i) || c.Version != 1 || c.Source != models.SourceImport ||
			c.OwnerID == nil || *c.OwnerID != a.UserID {
			t.Errorf("contact %d: %+v", i, c)
		}
		if len(c.Emails) != 1 || c.Emails[0].Address != fmt.Sprintf("%s.%d@Example.COM", label, i) || !c.Emails[0].IsPrimary {
			t.Errorf("emails %d: %+v", i, c.Emails)
		}
		if len(c.Phones) != 1 || c.Phones[0].E164 != fmt.Sprintf("+121255501%d", phone+i) || !c.Phones[0].IsPrimary {
			t.Errorf("phones %d: %+v", i, c.Phones)
		}
		if strings.Join(c.Tags, ",") != "renewal,VIP" {
			t.Errorf("tags %d: %v", i, c.Tags)
		}
		if c.Company == nil || c.Company.Name != company {
			t.Fatalf("company %d: %+v", i, c.Company)
		}
		if companyID != 0 && c.Company.ID != companyID {
			t.Errorf("one company name made two companies")
		}
		companyID = c.Company.ID
		page, err := db.Timeline(ctx, a, models.TimelineOptions{ContactID: id, Limit: 10})
		if err != nil || len(page.Items) != 1 || page.Items[0].Kind != models.TimelineImport ||
			page.Items[0].Summary != "Imported from people.csv" || page.Items[0].Source != models.TimelineSourceImport {
			t.Errorf("timeline %d: %+v %v", i, page, err)
		}
	}
	// Found by search as any contact is: folded name, email, phone. (The
	// numbers repeat under -count, so only this batch's contacts count.)
	for q, want := range map[string][]int64{"angstrom " + company: ids, label + ".2@example": ids[2:], fmt.Sprint("21255501", phone): ids[:1]} {
		page, err := db.Contacts(ctx, a, models.ContactListOptions{Query: q, Limit: 50})
		var got []int64
		for _, c := range page.Contacts {
			if slices.Contains(ids, c.ID) {
				got = append(got, c.ID)
			}
		}
		slices.Sort(got)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("search %q found %v of the batch, want %v (%v)", q, got, want, err)
		}
	}
}

// TestImportMatchesFindsWhatFindImportMatchFinds matches a batch of keys at
// once: by email (the newest contact), by phone, by name at a company when
// asked, never a contact the actor may not see.
func TestImportMatchesFindsWhatFindImportMatchFinds(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		sales := newTestDepartment(t, db, "Sales")
		billing := newTestDepartment(t, db, "Billing")
		a := newTestActor(t, db, models.RoleMember, sales)
		other := newTestActor(t, db, models.RoleMember, billing)
		email := strings.ToLower(uniqueLabel("m")) + "@match.example"
		company := uniqueLabel("Match Co")
		older := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Old", Emails: []models.EmailInput{{Address: email}}})
		newer := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "New", Emails: []models.EmailInput{{Address: email}}})
		phone := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Phone", Phones: []models.PhoneInput{{Number: "+44 20 7946 0958"}}})
		named := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "José", FamilyName: "Álvarez", CompanyName: company})
		hiddenEmail := strings.ToLower(uniqueLabel("h")) + "@match.example"
		mustCreateContact(t, db, other, models.ContactRequest{GivenName: "Hidden", RestrictedDepartmentID: &billing,
			Emails: []models.EmailInput{{Address: hiddenEmail}}})
		_ = older

		reqs := []models.ContactRequest{
			{Emails: []models.EmailInput{{Address: strings.ToUpper(email)}}},
			{Phones: []models.PhoneInput{{Number: "020 7946 0958"}}, PhoneRegion: "GB"},
			{GivenName: "jose", FamilyName: "ALVAREZ", CompanyName: strings.ToUpper(company)},
			{Emails: []models.EmailInput{{Address: hiddenEmail}}},
			{GivenName: "Nobody", Emails: []models.EmailInput{{Address: "nobody@match.example"}}},
		}
		for _, byName := range []bool{true, false} {
			keys := make([]models.ImportKeys, len(reqs))
			for i, r := range reqs {
				keys[i] = models.ImportKeysOf(r, byName)
			}
			got, err := db.ImportMatches(ctx, a, keys)
			if err != nil {
				t.Fatal(err)
			}
			want := []int64{newer.ID, phone.ID, named.ID, 0, 0}
			if !byName {
				want[2] = 0
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("byName %v: matches %v, want %v", byName, got, want)
			}
			for i, r := range reqs {
				c, err := db.FindImportMatch(ctx, a, r, byName)
				if err != nil || (c == nil) != (want[i] == 0) || (c != nil && c.ID != want[i]) {
					t.Errorf("FindImportMatch row %d: %v %v, want %d", i, c, err, want[i])
				}
			}
		}
	})
}
