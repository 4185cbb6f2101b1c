package models_test

import (
	"context"
	"testing"

	"rapport/models"
	"rapport/models/dbtest"
)

// Names written family name first are shown and found as people write them.
func TestFamilyFirstNames(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		a := newTestActor(t, db, models.RoleMember, newTestDepartment(t, db, "Sales"))
		given := "小明" + uniqueLabel("")[:0]
		family := "王"
		tag := uniqueLabel("cjk")
		c := mustCreateContact(t, db, a, models.ContactRequest{GivenName: given, FamilyName: family, Tags: []string{tag}})
		if c.Name() != "王小明" {
			t.Fatalf("Name() = %q, want 王小明", c.Name())
		}
		k := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "민준", FamilyName: "김", Tags: []string{tag}})
		if k.Name() != "김 민준" {
			t.Fatalf("Korean Name() = %q, want 김 민준", k.Name())
		}
		l := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "José", FamilyName: "Álvarez", Tags: []string{tag}})
		if l.Name() != "José Álvarez" {
			t.Fatalf("Latin Name() = %q", l.Name())
		}
		page, err := db.Contacts(ctx, a, models.ContactListOptions{Query: "王小明", Tag: tag})
		if err != nil || len(page.Contacts) != 1 || page.Contacts[0].ID != c.ID {
			t.Fatalf("searching the whole name 王小明: %+v %v", page, err)
		}
	})
}
