package models_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"rapport/models"
	"rapport/models/dbtest"
)

func TestKeyFacts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		sales := newTestDepartment(t, db, "Sales")
		ann := newTestActor(t, db, models.RoleMember, sales)
		bob := newTestActor(t, db, models.RoleMember)
		viewer := newTestActor(t, db, models.RoleViewer)
		c := mustCreateContact(t, db, ann, models.ContactRequest{GivenName: "Key", FamilyName: uniqueLabel("Facts")})

		kf, err := db.KeyFacts(ctx, ann, c.ID)
		if err != nil || kf.Version != 0 || kf.Body != "" {
			t.Fatalf("empty key facts %+v, %v", kf, err)
		}
		kf, err = db.SaveKeyFacts(ctx, ann, c.ID, "Prefers email", 0)
		if err != nil || kf.Version != 1 || kf.UpdatedByName != ann.Name || kf.DepartmentID == nil || *kf.DepartmentID != sales {
			t.Fatalf("first save %+v, %v", kf, err)
		}
		if _, err := db.SaveKeyFacts(ctx, bob, c.ID, "Prefers phone", 0); err == nil {
			t.Fatal("a second first save was accepted")
		}
		kf2, err := db.SaveKeyFacts(ctx, bob, c.ID, "Prefers email\nDecision maker", 1)
		if err != nil || kf2.Version != 2 {
			t.Fatalf("second save %+v, %v", kf2, err)
		}
		_, err = db.SaveKeyFacts(ctx, ann, c.ID, "Prefers email; VIP", 1)
		var ce *models.ConflictError[models.KeyFacts]
		if !errors.As(err, &ce) || ce.Current.Version != 2 || ce.Current.Body != kf2.Body {
			t.Fatalf("stale save: %v", err)
		}
		if _, err := db.SaveKeyFacts(ctx, ann, c.ID, strings.Repeat("x", models.MaxKeyFacts+1), 2); validationFields(t, err)["body"] == "" {
			t.Error("too long accepted")
		}
		if _, err := db.SaveKeyFacts(ctx, viewer, c.ID, "x", 2); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("viewer: %v", err)
		}
		hist, err := db.KeyFactsHistory(ctx, viewer, c.ID)
		if err != nil || len(hist) != 2 || hist[0].Version != 2 || hist[0].AuthorName != bob.Name || hist[1].Body != "Prefers email" {
			t.Fatalf("history %+v, %v", hist, err)
		}
		restricted := mustCreateContact(t, db, ann, models.ContactRequest{GivenName: "Hidden", FamilyName: uniqueLabel("Facts"), RestrictedDepartmentID: &sales})
		if _, err := db.KeyFacts(ctx, bob, restricted.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("restricted contact's key facts: %v", err)
		}
		if _, err := db.SaveKeyFacts(ctx, bob, restricted.ID, "x", 0); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("restricted contact's key facts save: %v", err)
		}
	})
}
