package models_test

import (
	"context"
	"errors"
	"testing"

	"rapport/models"
	"rapport/models/dbtest"
)

func TestBulkUpdateContacts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		sales := newTestDepartment(t, db, "Sales")
		billing := newTestDepartment(t, db, "Billing")
		a := newTestActor(t, db, models.RoleMember, sales)
		b := newTestActor(t, db, models.RoleMember, billing)
		c1 := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "One", FamilyName: uniqueLabel("B")})
		c2 := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Two", FamilyName: uniqueLabel("B"), Tags: []string{"VIP"}})
		hidden := mustCreateContact(t, db, b, models.ContactRequest{GivenName: "Hidden", FamilyName: uniqueLabel("B"), RestrictedDepartmentID: &billing})
		ids := []int64{c1.ID, c2.ID, hidden.ID}

		n, err := db.BulkUpdateContacts(ctx, a, ids, models.BulkAction{Kind: models.BulkTag, Tag: "vip"})
		if err != nil || n != 1 {
			t.Fatalf("tag: %d %v (only the untagged visible contact changes)", n, err)
		}
		if h, _ := db.Contact(ctx, b, hidden.ID); len(h.Tags) != 0 {
			t.Fatal("a hidden contact must not be touched by a bulk action")
		}
		if n, err := db.BulkUpdateContacts(ctx, a, ids, models.BulkAction{Kind: models.BulkOwner, OwnerID: b.UserID}); err != nil || n != 2 {
			t.Fatalf("owner: %d %v", n, err)
		}
		got, _ := db.Contact(ctx, a, c1.ID)
		if got.OwnerID == nil || *got.OwnerID != b.UserID || len(got.Tags) != 1 {
			t.Fatalf("after bulk: owner %v tags %v", got.OwnerID, got.Tags)
		}
		if n, err := db.BulkUpdateContacts(ctx, a, ids, models.BulkAction{Kind: models.BulkUntag, Tag: "VIP"}); err != nil || n != 2 {
			t.Fatalf("untag: %d %v", n, err)
		}
		if _, err := db.BulkUpdateContacts(ctx, a, ids, models.BulkAction{Kind: "explode"}); err == nil {
			t.Fatal("unknown action accepted")
		}
		viewer := newTestActor(t, db, models.RoleViewer, sales)
		if _, err := db.BulkUpdateContacts(ctx, viewer, ids, models.BulkAction{Kind: models.BulkDelete}); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("viewer bulk delete: %v", err)
		}
		if n, err := db.BulkUpdateContacts(ctx, a, ids, models.BulkAction{Kind: models.BulkDelete}); err != nil || n != 2 {
			t.Fatalf("delete: %d %v", n, err)
		}
		if _, err := db.Contact(ctx, a, c2.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatal("deleted contact still there")
		}
		if _, err := db.Contact(ctx, b, hidden.ID); err != nil {
			t.Fatal("the hidden contact must survive another department's bulk delete")
		}
	})
}
