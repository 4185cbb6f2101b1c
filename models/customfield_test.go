package models_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"rapport/models"
	"rapport/models/dbtest"
)

func TestCustomFields(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		admin := newTestActor(t, db, models.RoleAdmin)
		member := newTestActor(t, db, models.RoleMember)
		key := func(s string) string { return strings.ToLower(uniqueLabel(s)) }
		tier, size, renewal, notes := key("tier"), key("size"), key("renewal"), key("notes")

		if _, err := db.CreateCustomFieldDef(ctx, member, models.CustomFieldDefRequest{Key: key("x"), Label: "X", Kind: models.CustomFieldText}); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("member defining a field: %v", err)
		}
		defs := []models.CustomFieldDefRequest{
			{Key: tier, Label: "Tier", Kind: models.CustomFieldChoice, Choices: []string{"Gold", "Silver", "gold", " "}},
			{Key: size, Label: "Team size", Kind: models.CustomFieldNumber},
			{Key: renewal, Label: "Renewal", Kind: models.CustomFieldDate},
			{Key: notes, Label: "Notes", Kind: models.CustomFieldText},
		}
		ids := map[string]int64{}
		for _, req := range defs {
			d, err := db.CreateCustomFieldDef(ctx, admin, req)
			if err != nil {
				t.Fatalf("CreateCustomFieldDef(%+v): %v", req, err)
			}
			ids[req.Key] = d.ID
		}
		tierDef, err := db.CustomFieldDef(ctx, ids[tier])
		if err != nil || strings.Join(tierDef.Choices, ",") != "Gold,Silver" {
			t.Errorf("choices = %v, %v; want Gold,Silver", tierDef, err)
		}
		for _, bad := range []models.CustomFieldDefRequest{
			{Key: tier, Label: "Again", Kind: models.CustomFieldText},
			{Key: "Bad Key", Label: "Bad", Kind: models.CustomFieldText},
			{Key: key("nolabel"), Kind: models.CustomFieldText},
			{Key: key("kind"), Label: "Kind", Kind: "colour"},
			{Key: key("nochoice"), Label: "Empty", Kind: models.CustomFieldChoice},
		} {
			if _, err := db.CreateCustomFieldDef(ctx, admin, bad); err == nil {
				t.Errorf("CreateCustomFieldDef(%+v) accepted", bad)
			} else {
				validationFields(t, err)
			}
		}

		c, err := db.CreateContact(ctx, member, models.ContactRequest{GivenName: "Custom", CustomFields: map[string]string{
			tier: "GOLD", size: "1200.50", renewal: "2026-01-31", notes: "<i>likes</i> tea",
		}})
		if err != nil {
			t.Fatalf("CreateContact with custom fields: %v", err)
		}
		want := map[string]string{tier: "Gold", size: "1200.5", renewal: "2026-01-31", notes: "<i>likes</i> tea"}
		for k, v := range want {
			if c.CustomFields[k] != v {
				t.Errorf("custom field %s = %q, want %q", k, c.CustomFields[k], v)
			}
		}

		for field, value := range map[string]string{tier: "Bronze", size: "lots", renewal: "31/01/2026", "nope_" + tier: "x"} {
			_, err := db.UpdateContact(ctx, member, c.ID, models.ContactPatch{Version: c.Version, CustomFields: map[string]string{field: value}})
			if msg := validationFields(t, err)["custom_fields."+field]; msg == "" {
				t.Errorf("%s = %q accepted", field, value)
			}
		}

		// Patching merges; an empty value removes.
		c, err = db.UpdateContact(ctx, member, c.ID, models.ContactPatch{Version: c.Version, CustomFields: map[string]string{tier: "silver", notes: ""}})
		if err != nil {
			t.Fatal(err)
		}
		if c.CustomFields[tier] != "Silver" || c.CustomFields[size] != "1200.5" || c.CustomFields[notes] != "" {
			t.Errorf("after merge: %v", c.CustomFields)
		}

		// Admins change labels and choices; the key and kind stay.
		if _, err := db.UpdateCustomFieldDef(ctx, member, ids[tier], models.CustomFieldDefPatch{Label: ptrTo("Level")}); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("member updating a field: %v", err)
		}
		d, err := db.UpdateCustomFieldDef(ctx, admin, ids[tier], models.CustomFieldDefPatch{Label: ptrTo("Level"), Choices: &[]string{"Gold", "Silver", "Bronze"}})
		if err != nil || d.Label != "Level" || len(d.Choices) != 3 || d.Key != tier {
			t.Errorf("UpdateCustomFieldDef = %+v, %v", d, err)
		}
		// A position the column cannot hold is a message, not a failed
		// query (Postgres's INTEGER is 32 bits).
		for _, pos := range []int{3_000_000_000, -2_147_483_649, 1_000_001} {
			if _, err := db.UpdateCustomFieldDef(ctx, admin, ids[tier], models.CustomFieldDefPatch{Position: ptrTo(pos)}); validationFields(t, err)["position"] == "" {
				t.Errorf("position %d: %v", pos, err)
			}
		}
		if d, err := db.UpdateCustomFieldDef(ctx, admin, ids[tier], models.CustomFieldDefPatch{Position: ptrTo(-5)}); err != nil || d.Position != -5 {
			t.Errorf("position -5: %+v %v", d, err)
		}

		// Once deleted, a field can no longer be set but can be cleared.
		if err := db.DeleteCustomFieldDef(ctx, member, ids[size]); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("member deleting a field: %v", err)
		}
		if err := db.DeleteCustomFieldDef(ctx, admin, ids[size]); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CustomFieldDef(ctx, ids[size]); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("deleted field: %v", err)
		}
		_, err = db.UpdateContact(ctx, member, c.ID, models.ContactPatch{Version: c.Version, CustomFields: map[string]string{size: "3"}})
		if validationFields(t, err)["custom_fields."+size] == "" {
			t.Errorf("setting a deleted field: %v", err)
		}
		c, err = db.UpdateContact(ctx, member, c.ID, models.ContactPatch{Version: c.Version, CustomFields: map[string]string{size: ""}})
		if err != nil || c.CustomFields[size] != "" {
			t.Errorf("clearing a deleted field: %v, %v", c.CustomFields, err)
		}
	})
}
