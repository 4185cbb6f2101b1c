package importer_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"rapport/app/apptest"
	"rapport/app/importer"
	"rapport/models"
	"rapport/models/dbtest"
)

// TestBulkBatchesMixNewMatchedRepeatedAndRejectedRows imports, in batches
// of four, a file mixing a row that matches an existing contact, new rows,
// rows repeating a new row in the same batch and in a later batch, and
// rejected rows in the middle of batches, under each duplicate policy; then
// undoes it.
func TestBulkBatchesMixNewMatchedRepeatedAndRejectedRows(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		u := apptest.User(t, db, models.RoleMember, "Sales")
		a := u.Actor("session")
		for _, tc := range []struct {
			policy           string
			counts           string
			family, jobTitle string // the existing contact after the import
			restored         int
		}{
			{models.DuplicateSkip, "read 8 created 3 updated 2 skipped 1 failed 2", "King", "", 0},
			{models.DuplicateFill, "read 8 created 3 updated 3 skipped 0 failed 2", "King", "Countess", 1},
			{models.DuplicateOverwrite, "read 8 created 3 updated 3 skipped 0 failed 2", "Lovelace", "Countess", 1},
		} {
			p := tc.policy
			existing, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Ann", FamilyName: "King",
				Emails: []models.EmailInput{{Address: "ann@" + p + ".example"}}})
			if err != nil {
				t.Fatal(err)
			}
			file := strings.NewReplacer("POLICY", p).Replace(`First Name,Last Name,Email,Phone,Job Title,Notes
Ann,Lovelace,ann@POLICY.example,,Countess,
Neo,One,neo1@POLICY.example,,,
,,,,,only a note
Neo,One,NEO1@POLICY.example,+44 20 7946 0958,,
Tri,Two,tri2@POLICY.example,,,
,,,,,another note only
Neo,,neo1@POLICY.example,,Pilot,
Max,Three,max3@POLICY.example,,,
`)
			path := writeFile(t, "bulk-"+p+".csv", file)
			if p == models.DuplicateSkip {
				imp, err := importer.Local(ctx, db, a, path, importer.Request{OnDuplicate: p, DryRun: true})
				if err != nil {
					t.Fatal(err)
				}
				dry, err := importer.New(db, importer.Options{BatchSize: 4}).Run(ctx, imp.ID, importer.LocalTracker{})
				if err != nil || counts(dry) != tc.counts {
					t.Fatalf("dry run: %s %v", counts(dry), err)
				}
				if got := byEmail(t, db, a, "neo1@"+p+".example"); len(got) != 0 {
					t.Fatalf("a dry run saved contacts: %v", got)
				}
			}
			imp, err := importer.Local(ctx, db, a, path, importer.Request{OnDuplicate: p})
			if err != nil {
				t.Fatal(err)
			}
			done, err := importer.New(db, importer.Options{BatchSize: 4}).Run(ctx, imp.ID, importer.LocalTracker{})
			if err != nil {
				t.Fatal(err)
			}
			if counts(done) != tc.counts {
				t.Errorf("%s: %s, want %s", p, counts(done), tc.counts)
			}
			var lines []int
			for _, f := range failures(t, db, a, done.ID, false) {
				lines = append(lines, f.Line)
			}
			if fmt.Sprint(lines) != "[4 7]" {
				t.Errorf("%s: rejected lines %v, want [4 7]", p, lines)
			}
			neo := byEmail(t, db, a, "neo1@"+p+".example")
			if len(neo) != 1 {
				t.Fatalf("%s: the repeated rows made %d contacts", p, len(neo))
			}
			full, err := db.Contact(ctx, a, neo[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			// Repeats of a row merge into its contact by filling, whatever
			// the policy: the phone from the same batch, the job title from
			// the next.
			if full.FamilyName != "One" || full.JobTitle != "Pilot" || len(full.Phones) != 1 || full.Phones[0].E164 != "+442079460958" {
				t.Errorf("%s: merged contact %q %q %+v", p, full.FamilyName, full.JobTitle, full.Phones)
			}
			items, err := db.Timeline(ctx, a, models.TimelineOptions{ContactID: full.ID, Kinds: []models.TimelineKind{models.TimelineImport}, Limit: 5})
			if err != nil || len(items.Items) != 1 || items.Items[0].Summary != "Imported from bulk-"+p+".csv" {
				t.Errorf("%s: import item %+v %v", p, items, err)
			}
			c, _ := db.Contact(ctx, a, existing.ID)
			if c.FamilyName != tc.family || c.JobTitle != tc.jobTitle {
				t.Errorf("%s: existing contact became %q %q", p, c.FamilyName, c.JobTitle)
			}

			res, err := db.UndoImport(ctx, a, done.ID)
			if err != nil || res.Deleted != 3 || res.Restored != tc.restored {
				t.Fatalf("%s: undo %+v %v", p, res, err)
			}
			for _, e := range []string{"neo1", "tri2", "max3"} {
				if got := byEmail(t, db, a, e+"@"+p+".example"); len(got) != 0 {
					t.Errorf("%s: undo left %s", p, e)
				}
			}
			c, _ = db.Contact(ctx, a, existing.ID)
			if c.FamilyName != "King" || c.JobTitle != "" {
				t.Errorf("%s: undo left the existing contact %q %q", p, c.FamilyName, c.JobTitle)
			}
		}
	})
}
