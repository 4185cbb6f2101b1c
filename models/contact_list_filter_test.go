package models_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"rapport/models"
	"rapport/models/dbtest"
)

// The contact list narrows to contacts a department has worked with and
// to a last-contacted range, pages through them by keyset like any list,
// and never counts an item the reader may not see.
func TestContactListActivityFilters(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		sales, support := newTestDepartment(t, db, "Sales"), newTestDepartment(t, db, "Support")
		seller := newTestActor(t, db, models.RoleMember, sales)
		helper := newTestActor(t, db, models.RoleMember, support)
		// Creating a contact is activity too ("Contact created"), so a
		// third department adds them.
		clerk := newTestActor(t, db, models.RoleMember, newTestDepartment(t, db, "Records"))
		day := func(n int) time.Time { return time.Now().UTC().AddDate(0, 0, -n).Truncate(time.Second) }
		contact := func(name string) *models.Contact {
			return mustCreateContact(t, db, clerk, models.ContactRequest{GivenName: name, FamilyName: uniqueLabel("Filter")})
		}
		call := func(a models.Actor, c *models.Contact, when time.Time, restricted bool) {
			t.Helper()
			req := models.InteractionRequest{Kind: "call", Direction: "inbound", OccurredAt: when, ContactIDs: []int64{c.ID}, Subject: "Call"}
			if restricted {
				req.RestrictedDepartmentID = &support
			}
			if _, err := db.LogInteraction(ctx, a, req); err != nil {
				t.Fatal(err)
			}
		}
		old, recent, hidden, never := contact("Old"), contact("Recent"), contact("Hidden"), contact("Never")
		call(helper, old, day(30), false)
		call(seller, recent, day(2), false)
		call(helper, hidden, day(3), true) // only Support sees it
		ours := []int64{old.ID, recent.ID, hidden.ID, never.ID}
		list := func(a models.Actor, opts models.ContactListOptions) []int64 {
			t.Helper()
			opts.IDs, opts.Limit = ours, 1
			var ids []int64
			for range 10 {
				page, err := db.Contacts(ctx, a, opts)
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range page.Contacts {
					ids = append(ids, c.ID)
				}
				if opts.Cursor = page.NextCursor; opts.Cursor == "" {
					return ids
				}
			}
			t.Fatal("the pages never ended")
			return nil
		}

		if got := list(seller, models.ContactListOptions{ActiveDepartmentID: support}); !slices.Equal(got, []int64{old.ID}) {
			t.Errorf("Support's activity, seen from Sales = %v, want only %d (the restricted call is not Sales' to see)", got, old.ID)
		}
		if got := list(helper, models.ContactListOptions{ActiveDepartmentID: support, Sort: models.ContactSortLastContacted}); !slices.Equal(got, []int64{hidden.ID, old.ID}) {
			t.Errorf("Support's activity, seen from Support = %v, want %d then %d", got, hidden.ID, old.ID)
		}
		if got := list(seller, models.ContactListOptions{ActiveDepartmentID: sales}); !slices.Equal(got, []int64{recent.ID}) {
			t.Errorf("Sales' activity = %v, want %d", got, recent.ID)
		}
		if got := list(seller, models.ContactListOptions{LastContactedFrom: day(7), Sort: models.ContactSortLastContacted}); !slices.Equal(got, []int64{recent.ID, hidden.ID}) {
			t.Errorf("contacted in the last week = %v, want %d then %d", got, recent.ID, hidden.ID)
		}
		if got := list(seller, models.ContactListOptions{LastContactedTo: day(7)}); !slices.Equal(got, []int64{old.ID}) {
			t.Errorf("not contacted for a week = %v, want %d (never-contacted contacts have no date)", got, old.ID)
		}
		if got := list(seller, models.ContactListOptions{LastContactedFrom: day(60), LastContactedTo: day(10), ActiveDepartmentID: support}); !slices.Equal(got, []int64{old.ID}) {
			t.Errorf("both filters = %v", got)
		}
		_, err := db.Contacts(ctx, seller, models.ContactListOptions{LastContactedFrom: day(1), LastContactedTo: day(2)})
		var ve *models.ValidationError
		if !errors.As(err, &ve) || ve.Fields["last_contacted_to"] == "" {
			t.Errorf("a range that ends before it starts: %v", err)
		}

		// Both filters are served by indexes: the contacts' last-contacted
		// index for the range, a contact's own items for the activity.
		if err := db.Analyze(ctx); err != nil {
			t.Fatal(err)
		}
		plan, err := db.ContactListPlan(ctx, seller, models.ContactListOptions{LastContactedFrom: day(7), Sort: models.ContactSortLastContacted})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(plan, "contacts_last_contacted_idx") {
			t.Errorf("the last-contacted range does not use contacts_last_contacted_idx:\n%s", plan)
		}
		plan, err = db.ContactListPlan(ctx, seller, models.ContactListOptions{ActiveDepartmentID: support})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("department filter plan:\n%s", plan)
		if !strings.Contains(plan, "timeline_items_contact_idx") && !strings.Contains(plan, "timeline_items_counts_idx") &&
			!strings.Contains(plan, "timeline_items_department_activity_idx") {
			t.Errorf("the department filter does not read a contact's own items by index:\n%s", plan)
		}
		if strings.Contains(plan, "SCAN timeline_items") || strings.Contains(plan, "Seq Scan on timeline_items") {
			t.Errorf("the department filter scans every timeline item:\n%s", plan)
		}
	})
}
