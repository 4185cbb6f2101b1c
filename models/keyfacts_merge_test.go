package models_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"rapport/models"
	"rapport/models/dbtest"
)

// A merge must not lose what either department pinned on a contact: by
// default both key facts are kept, as a revision of the survivor's; a
// person may keep one side instead; undo puts the survivor's back and the
// other contact returns with its own.
func TestMergeKeepsKeyFacts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		a := newTestActor(t, db, models.RoleMember, newTestDepartment(t, db, "Billing"))
		pair := func(survivorFacts, loserFacts string) (*models.Contact, *models.Contact) {
			t.Helper()
			s := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Keep", FamilyName: uniqueLabel("K")})
			l := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Gone", FamilyName: uniqueLabel("G")})
			for id, text := range map[int64]string{s.ID: survivorFacts, l.ID: loserFacts} {
				if text == "" {
					continue
				}
				if _, err := db.SaveKeyFacts(ctx, a, id, text, 0); err != nil {
					t.Fatal(err)
				}
			}
			return s, l
		}
		merge := func(s, l *models.Contact, take string) (*models.ContactMerge, error) {
			req := models.MergeRequest{SurvivorID: s.ID, LoserID: l.ID, SurvivorVersion: s.Version, LoserVersion: l.Version}
			if take != "" {
				req.Take = map[string]string{"key_facts": take}
			}
			return db.MergeContacts(ctx, a, req)
		}
		facts := func(id int64) *models.KeyFacts {
			t.Helper()
			kf, err := db.KeyFacts(ctx, a, id)
			if err != nil {
				t.Fatal(err)
			}
			return kf
		}

		t.Run("both kept by default, undo restores", func(t *testing.T) {
			s, l := pair("Prefers email.", "Open billing dispute: talk to Billing first.")
			m, err := merge(s, l, "")
			if err != nil {
				t.Fatal(err)
			}
			got := facts(s.ID)
			if got.Body != "Prefers email.\n\nOpen billing dispute: talk to Billing first." || got.Version != 2 {
				t.Fatalf("merged key facts = v%d %q", got.Version, got.Body)
			}
			hist, err := db.KeyFactsHistory(ctx, a, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(hist) != 2 || hist[0].Body != got.Body || hist[0].AuthorID == nil || *hist[0].AuthorID != a.UserID {
				t.Fatalf("the merge is not a revision by the person merging: %+v", hist)
			}
			if _, err := db.UndoMerge(ctx, a, m.ID); err != nil {
				t.Fatal(err)
			}
			if got := facts(s.ID); got.Body != "Prefers email." || got.Version != 3 {
				t.Errorf("after undo the survivor's key facts = v%d %q, want its own back as version 3", got.Version, got.Body)
			}
			if got := facts(l.ID); got.Body != "Open billing dispute: talk to Billing first." || got.Version != 1 {
				t.Errorf("after undo the other contact's key facts = v%d %q", got.Version, got.Body)
			}
		})

		t.Run("only the loser had some", func(t *testing.T) {
			s, l := pair("", "Renews in March.")
			m, err := merge(s, l, "")
			if err != nil {
				t.Fatal(err)
			}
			if got := facts(s.ID); got.Body != "Renews in March." {
				t.Fatalf("merged key facts = %q", got.Body)
			}
			if _, err := db.UndoMerge(ctx, a, m.ID); err != nil {
				t.Fatal(err)
			}
			if got := facts(s.ID); got.Body != "" {
				t.Errorf("after undo the survivor should have no key facts again: %q", got.Body)
			}
		})

		t.Run("a chosen side", func(t *testing.T) {
			s, l := pair("Old facts.", "Newer facts.")
			if _, err := merge(s, l, "loser"); err != nil {
				t.Fatal(err)
			}
			if got := facts(s.ID); got.Body != "Newer facts." {
				t.Errorf("take loser: %q", got.Body)
			}
			s, l = pair("Ours.", "Theirs.")
			if _, err := merge(s, l, "survivor"); err != nil {
				t.Fatal(err)
			}
			if got := facts(s.ID); got.Body != "Ours." || got.Version != 1 {
				t.Errorf("take survivor: v%d %q", got.Version, got.Body)
			}
			if _, err := merge(s, l, "neither"); err == nil {
				t.Error("an unknown choice was accepted")
			}
		})

		t.Run("too long together", func(t *testing.T) {
			s, l := pair(strings.Repeat("a", 600), strings.Repeat("b", 600))
			_, err := merge(s, l, "")
			var ve *models.ValidationError
			if !errors.As(err, &ve) || !strings.Contains(ve.Fields["take"], "Choose whose key facts to keep") {
				t.Fatalf("combined key facts over the limit: %v", err)
			}
			if _, err := db.Contact(ctx, a, l.ID); err != nil {
				t.Fatalf("a refused merge retired the contact: %v", err)
			}
			if _, err := merge(s, l, "survivor"); err != nil {
				t.Fatalf("choosing one side: %v", err)
			}
		})

		t.Run("undo refused after the key facts were edited", func(t *testing.T) {
			s, l := pair("Mine.", "Yours.")
			m, err := merge(s, l, "")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.SaveKeyFacts(ctx, a, s.ID, "Edited after the merge.", 2); err != nil {
				t.Fatal(err)
			}
			if _, err := db.UndoMerge(ctx, a, m.ID); !errors.Is(err, models.ErrMergeChangedSince) {
				t.Fatalf("undo after the key facts changed: %v", err)
			}
			if got := facts(s.ID); got.Body != "Edited after the merge." {
				t.Errorf("a refused undo changed the key facts: %q", got.Body)
			}
		})
	})
}
