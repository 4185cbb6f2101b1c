package models_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"rapport/models"
	"rapport/models/dbtest"
)

func TestImportMappingNamesAndDeletion(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		ann := newTestActor(t, db, models.RoleMember)
		bob := newTestActor(t, db, models.RoleMember)
		admin := newTestActor(t, db, models.RoleAdmin)
		viewer := newTestActor(t, db, models.RoleViewer)
		const js = `{"layout":"google","columns":[{"column":"E-mail 1 - Value","field":"email"}]}`
		name := "Google " + t.Name()

		m, err := db.CreateImportMapping(ctx, ann, "  "+name+" ", js)
		if err != nil || m.Name != name || m.CreatedBy == nil || *m.CreatedBy != ann.UserID {
			t.Fatalf("create: %+v %v", m, err)
		}
		// The same name in another case is taken for Ann, free for Bob.
		var ve *models.ValidationError
		if _, err := db.CreateImportMapping(ctx, ann, "GOOGLE "+t.Name(), js); !errors.As(err, &ve) || ve.Fields["name"] == "" {
			t.Fatalf("Ann's second mapping of the same name: %v", err)
		}
		bm, err := db.CreateImportMapping(ctx, bob, name, js)
		if err != nil {
			t.Fatalf("Bob's mapping of the same name: %v", err)
		}
		// By name (the CLI's --mapping): one's own first, in any case;
		// someone else's only when it is the only one of that name.
		if got, err := db.ImportMappingByName(ctx, ann, strings.ToLower(name)); err != nil || got.ID != m.ID {
			t.Fatalf("Ann's by name: %+v %v", got, err)
		}
		if got, err := db.ImportMappingByName(ctx, bob, name); err != nil || got.ID != bm.ID {
			t.Fatalf("Bob's by name: %+v %v", got, err)
		}
		if _, err := db.ImportMappingByName(ctx, admin, name); !errors.As(err, &ve) || ve.Fields["mapping"] == "" {
			t.Fatalf("an ambiguous name: %v, want a validation error", err)
		}
		if _, err := db.ImportMappingByName(ctx, admin, "nothing "+t.Name()); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("an unknown name: %v", err)
		}
		only := uniqueLabel("Only " + t.Name())
		om, err := db.CreateImportMapping(ctx, ann, only, js)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := db.ImportMappingByName(ctx, bob, only); err != nil || got.ID != om.ID {
			t.Fatalf("the only mapping of a name, for someone else: %+v %v", got, err)
		}
		for _, bad := range []struct{ name, js string }{{"", js}, {"x", "{not json"}} {
			if _, err := db.CreateImportMapping(ctx, ann, bad.name, bad.js); !errors.As(err, &ve) {
				t.Errorf("create %q %q: %v, want a validation error", bad.name, bad.js, err)
			}
		}
		if _, err := db.CreateImportMapping(ctx, viewer, "viewer's", js); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("a viewer saved a mapping: %v", err)
		}

		// Everyone sees both.
		all, err := db.ImportMappings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		seen := 0
		for _, x := range all {
			if x.ID == m.ID || x.ID == bm.ID {
				seen++
			}
		}
		if seen != 2 {
			t.Fatalf("listed %d of the two mappings: %+v", seen, all)
		}
		if got, err := db.ImportMappingByID(ctx, m.ID); err != nil || got.Mapping != js {
			t.Fatalf("by id: %+v %v", got, err)
		}

		// Only the creator or an admin deletes.
		if err := db.RemoveImportMapping(ctx, bob, m.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("Bob deleted Ann's mapping: %v", err)
		}
		if err := db.RemoveImportMapping(ctx, ann, m.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.RemoveImportMapping(ctx, admin, bm.ID); err != nil {
			t.Fatalf("admin: %v", err)
		}
		if _, err := db.ImportMappingByID(ctx, bm.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("deleted mapping: %v", err)
		}
		if err := db.RemoveImportMapping(ctx, ann, m.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("deleting again: %v", err)
		}
		// The name is free again once deleted.
		if _, err := db.CreateImportMapping(ctx, ann, name, js); err != nil {
			t.Fatalf("reuse a deleted name: %v", err)
		}
	})
}
