package models_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"rapport/models"
	"rapport/models/dbtest"
)

func TestContactPagination(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		actor := newTestActor(t, db, models.RoleMember)
		tag := uniqueLabel("page")
		base := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
		// Few distinct names and contact times, so that most rows tie on
		// the sort column and only the id orders them; a third were never
		// contacted.
		families := []string{"Álvarez", "Zhang", "Müller", "O'Neil", "Ng"}
		const total = 120
		for i := range total {
			req := models.ContactRequest{GivenName: fmt.Sprint("P", i%7), FamilyName: families[i%len(families)], Tags: []string{tag}}
			if i%3 != 0 {
				at := base.Add(time.Duration(i%4) * time.Hour)
				req.LastContactedAt = &at
			}
			mustCreateContact(t, db, actor, req)
		}
		// Some updates, so updated order differs from created order.
		first, err := db.Contacts(ctx, actor, models.ContactListOptions{Tag: tag, Sort: models.ContactSortCreated, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range first.Contacts[:5] {
			if _, err := db.UpdateContact(ctx, actor, c.ID, models.ContactPatch{Version: c.Version, JobTitle: ptrTo("moved")}); err != nil {
				t.Fatal(err)
			}
		}

		sorts := []struct {
			sort models.ContactSort
			less func(a, b models.Contact) int // the expected order
		}{
			{models.ContactSortName, func(a, b models.Contact) int {
				return cmp.Or(cmp.Compare(sortName(a), sortName(b)), cmp.Compare(a.ID, b.ID))
			}},
			{models.ContactSortUpdated, func(a, b models.Contact) int {
				return cmp.Or(b.UpdatedAt.Compare(a.UpdatedAt), cmp.Compare(b.ID, a.ID))
			}},
			{models.ContactSortCreated, func(a, b models.Contact) int {
				return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ID, a.ID))
			}},
			{models.ContactSortLastContacted, func(a, b models.Contact) int {
				switch {
				case a.LastContactedAt == nil && b.LastContactedAt == nil:
					return cmp.Compare(b.ID, a.ID)
				case a.LastContactedAt == nil:
					return 1
				case b.LastContactedAt == nil:
					return -1
				}
				return cmp.Or(b.LastContactedAt.Compare(*a.LastContactedAt), cmp.Compare(b.ID, a.ID))
			}},
		}
		for _, s := range sorts {
			t.Run(string(s.sort), func(t *testing.T) {
				var all []models.Contact
				cursor := ""
				pages := 0
				for {
					page, err := db.Contacts(ctx, actor, models.ContactListOptions{Tag: tag, Sort: s.sort, Cursor: cursor, Limit: 50})
					if err != nil {
						t.Fatalf("page %d: %v", pages+1, err)
					}
					pages++
					all = append(all, page.Contacts...)
					if page.NextCursor == "" {
						break
					}
					if pages > 5 {
						t.Fatal("pagination does not end")
					}
					cursor = page.NextCursor
				}
				if pages != 3 || len(all) != total {
					t.Fatalf("%d pages, %d contacts; want 3 pages, %d contacts", pages, len(all), total)
				}
				seen := map[int64]bool{}
				for _, c := range all {
					if seen[c.ID] {
						t.Fatalf("contact %d listed twice", c.ID)
					}
					seen[c.ID] = true
				}
				want := slices.Clone(all)
				slices.SortStableFunc(want, s.less)
				for i := range all {
					if all[i].ID != want[i].ID {
						t.Fatalf("position %d holds contact %d, want %d", i, all[i].ID, want[i].ID)
					}
				}
			})
		}

		t.Run("cursors", func(t *testing.T) {
			page, err := db.Contacts(ctx, actor, models.ContactListOptions{Tag: tag, Sort: models.ContactSortName, Limit: 5})
			if err != nil {
				t.Fatal(err)
			}
			for _, opts := range []models.ContactListOptions{
				{Tag: tag, Sort: models.ContactSortUpdated, Cursor: page.NextCursor},
				{Tag: tag, Cursor: "not-a-cursor"},
				{Tag: tag, Cursor: page.NextCursor[:len(page.NextCursor)-3]},
				{Sort: "shoe size"},
			} {
				_, err := db.Contacts(ctx, actor, opts)
				var ve *models.ValidationError
				if !errors.As(err, &ve) {
					t.Errorf("%+v: %v, want a validation error", opts, err)
				}
			}
			big, err := db.Contacts(ctx, actor, models.ContactListOptions{Tag: tag, Limit: 1000})
			if err != nil || len(big.Contacts) != total {
				t.Errorf("limit above 200: %d contacts, %v; want all %d", len(big.Contacts), err, total)
			}
			def, err := db.Contacts(ctx, actor, models.ContactListOptions{Tag: tag})
			if err != nil || len(def.Contacts) != 50 {
				t.Errorf("default limit: %d contacts, %v; want 50", len(def.Contacts), err)
			}
		})

		t.Run("filters", func(t *testing.T) {
			for _, opts := range []models.ContactListOptions{{Tag: strings.ToUpper(tag)}, {Tag: tag, OwnerID: actor.UserID}} {
				if n, err := db.CountContacts(ctx, actor, opts); err != nil || n != total {
					t.Errorf("%+v: %d, %v; want %d", opts, n, err, total)
				}
			}
			if n, _ := db.CountContacts(ctx, actor, models.ContactListOptions{Tag: tag, OwnerID: actor.UserID + 1000000}); n != 0 {
				t.Errorf("other owner: %d", n)
			}
		})
	})
}

// sortName is the test's idea of the name order: family then given name,
// accents and case ignored.
func sortName(c models.Contact) string {
	r := strings.NewReplacer("Á", "a", "ü", "u")
	return strings.ToLower(r.Replace(c.FamilyName + " " + c.GivenName))
}
