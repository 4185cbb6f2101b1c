package models_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"rapport/models"
	"rapport/models/dbtest"
)

func TestIDRanges(t *testing.T) {
	r := func(first, last int64) models.IDRange { return models.IDRange{First: first, Last: last} }
	for _, tc := range []struct {
		name     string
		rs, more models.IDRanges
		want     models.IDRanges
	}{
		{"into nothing", nil, models.RangesOf([]int64{7, 5, 6, 9, 9}), models.IDRanges{r(5, 7), r(9, 9)}},
		{"after, touching", models.IDRanges{r(1, 4)}, models.IDRanges{r(5, 8)}, models.IDRanges{r(1, 8)}},
		{"after, with a gap", models.IDRanges{r(1, 4)}, models.IDRanges{r(6, 8)}, models.IDRanges{r(1, 4), r(6, 8)}},
		{"before and between", models.IDRanges{r(10, 12), r(20, 22)}, models.IDRanges{r(1, 2), r(13, 15), r(21, 30)},
			models.IDRanges{r(1, 2), r(10, 15), r(20, 30)}},
		{"nothing more", models.IDRanges{r(3, 3)}, nil, models.IDRanges{r(3, 3)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.rs.Merge(tc.more)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			var n int64
			for id := int64(0); id <= 31; id++ {
				in := false
				for _, w := range tc.want {
					in = in || w.First <= id && id <= w.Last
				}
				if got.Contains(id) != in {
					t.Errorf("Contains(%d) = %v", id, !in)
				}
				if in {
					n++
				}
			}
			if got.Count() != n {
				t.Errorf("Count() = %d, want %d", got.Count(), n)
			}
		})
	}
}

// TestUndoImportRecordedBothWays undoes an import whose batches recorded
// the contacts they created both as ranges and, as imports did before
// migration 00014, one "created" change per contact; and a contact it
// updated. Every contact it created goes, and the updated one is restored.
func TestUndoImportRecordedBothWays(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		a := newTestActor(t, db, models.RoleMember, newTestDepartment(t, db, "Sales"))
		older := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Old", FamilyName: "Style"})
		ranged := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "New", FamilyName: "Style"})
		updated := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Kept", FamilyName: "Contact", JobTitle: "Now"})
		im, err := db.CreateImport(ctx, a, models.ImportRequest{Filename: "both.csv"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.BeginImport(ctx, im.ID); err != nil {
			t.Fatal(err)
		}
		err = db.Tx(ctx, func(tx *models.DB) error {
			return tx.RecordImportBatch(ctx, im.ID, models.ImportCounts{Read: 3, Created: 2, Updated: 1},
				nil, []models.ImportChange{
					{ContactID: older.ID, Action: models.ImportChangeCreated, Before: "{}"},
					{ContactID: updated.ID, Action: models.ImportChangeUpdated, Before: `{"job_title":"Before"}`},
				}, models.RangesOf([]int64{ranged.ID}))
		})
		if err != nil {
			t.Fatal(err)
		}
		created, err := db.ImportCreatedContacts(ctx, im.ID)
		if err != nil || created.Count() != 2 || !created.Contains(older.ID) || !created.Contains(ranged.ID) {
			t.Fatalf("created %v: %v", created, err)
		}
		if err := db.FinishImport(ctx, im.ID, models.ImportDone, "", time.Hour); err != nil {
			t.Fatal(err)
		}
		res, err := db.UndoImport(ctx, a, im.ID)
		if err != nil || *res != (models.UndoResult{Deleted: 2, Restored: 1}) {
			t.Fatalf("undo: %+v %v", res, err)
		}
		for _, id := range []int64{older.ID, ranged.ID} {
			if _, err := db.Contact(ctx, a, id); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("contact %d the import created is still there: %v", id, err)
			}
		}
		if c, err := db.Contact(ctx, a, updated.ID); err != nil || c.JobTitle != "Before" {
			t.Errorf("updated contact after undo: %+v %v", c, err)
		}
	})
}
