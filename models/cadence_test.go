package models_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"rapport/models"
	"rapport/models/dbtest"
)

func followUps(t testing.TB, db *models.DB, actor models.Actor, opts models.FollowUpOptions) []models.FollowUp {
	t.Helper()
	var all []models.FollowUp
	for range 20 {
		page, err := db.DueForFollowUp(context.Background(), actor, opts)
		if err != nil {
			t.Fatalf("DueForFollowUp: %v", err)
		}
		all = append(all, page.FollowUps...)
		if page.NextCursor == "" {
			return all
		}
		opts.Cursor = page.NextCursor
	}
	t.Fatal("DueForFollowUp: too many pages")
	return nil
}

func followUpIDs(fs []models.FollowUp) []int64 {
	ids := make([]int64, len(fs))
	for i, f := range fs {
		ids[i] = f.ContactID
	}
	return ids
}

func TestFollowUpAcrossTimeZones(t *testing.T) {
	auckland, err := time.LoadLocation("Pacific/Auckland")
	if err != nil {
		t.Skip(err)
	}
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Skip(err)
	}
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		a := newTestActor(t, db, models.RoleMember)
		// Last spoken to at 23:30 UTC on 9 March 2025: 12:30 on the 10th in
		// Auckland (UTC+13), 16:30 on the 9th in Los Angeles (UTC-7).
		last := time.Date(2025, 3, 9, 23, 30, 0, 0, time.UTC)
		weekly := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Weekly", LastContactedAt: &last})
		if err := db.SetCadence(ctx, a, weekly.ID, models.Interval{Every: 1, Unit: models.IntervalWeek}); err != nil {
			t.Fatal(err)
		}
		none := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "No cadence", LastContactedAt: &last})
		_ = none
		// 10:00 UTC on 16 March is the 16th in both places (23:00 in
		// Auckland, 03:00 in Los Angeles). Due on the 16th in Los Angeles,
		// the 17th in Auckland.
		at := time.Date(2025, 3, 16, 10, 0, 0, 0, time.UTC)
		for _, tc := range []struct {
			loc  *time.Location
			at   time.Time
			want []int64
			next string
		}{
			{la, at, []int64{weekly.ID}, "2025-03-16"},
			{auckland, at, nil, ""},
			{auckland, at.Add(time.Hour), []int64{weekly.ID}, "2025-03-17"}, // midnight in Auckland
			{la, at.Add(-4 * time.Hour), nil, ""},                           // 23:00 on the 15th in Los Angeles
		} {
			got := followUps(t, db, a, models.FollowUpOptions{Mine: true, Now: tc.at, Loc: tc.loc, Limit: 1})
			if !slices.Equal(followUpIDs(got), tc.want) {
				t.Errorf("%s at %v: %v, want %v", tc.loc, tc.at, followUpIDs(got), tc.want)
			}
			if len(got) == 1 && (got[0].NextContactOn != tc.next || got[0].ContactName != "Weekly" || got[0].Cadence.Unit != models.IntervalWeek) {
				t.Errorf("%s: %+v", tc.loc, got[0])
			}
		}
		if iv, err := db.Cadence(ctx, a, weekly.ID); err != nil || iv != (models.Interval{Every: 1, Unit: models.IntervalWeek}) {
			t.Fatalf("Cadence = %+v, %v", iv, err)
		}
		// Removing the cadence takes the contact off the list.
		if err := db.SetCadence(ctx, a, weekly.ID, models.Interval{}); err != nil {
			t.Fatal(err)
		}
		if got := followUps(t, db, a, models.FollowUpOptions{Mine: true, Now: at, Loc: la}); len(got) != 0 {
			t.Fatalf("after removal: %v", followUpIDs(got))
		}
		err = db.SetCadence(ctx, a, weekly.ID, models.Interval{Every: 3, Unit: "fortnight"})
		if f := validationFields(t, err); f["cadence"] == "" {
			t.Fatalf("fields = %v", f)
		}

		// Colleagues setting a cadence at the same moment all succeed, and
		// the contact keeps one (it took a delete then an insert, and on
		// Postgres the later insert failed on the primary key).
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Go(func() {
				errs[i] = db.SetCadence(ctx, a, weekly.ID, models.Interval{Every: i + 1, Unit: models.IntervalWeek})
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("concurrent SetCadence %d: %v", i, err)
			}
		}
		if iv, err := db.Cadence(ctx, a, weekly.ID); err != nil || iv.Unit != models.IntervalWeek || iv.Every < 1 || iv.Every > len(errs) {
			t.Errorf("after concurrent sets: %+v, %v", iv, err)
		}
	})
}

func TestFollowUpResetByLoggedInteraction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		sales := newTestDepartment(t, db, "Sales")
		a := newTestActor(t, db, models.RoleMember, sales)
		outsider := newTestActor(t, db, models.RoleMember)
		long := time.Now().AddDate(0, -3, 0)
		longer := time.Now().AddDate(0, -4, 0)
		c1 := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Quiet", LastContactedAt: &long})
		c2 := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Quieter", LastContactedAt: &longer,
			RestrictedDepartmentID: &sales})
		fresh := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Never contacted"})
		for _, id := range []int64{c1.ID, c2.ID, fresh.ID} {
			if err := db.SetCadence(ctx, a, id, models.Interval{Every: 1, Unit: models.IntervalMonth}); err != nil {
				t.Fatal(err)
			}
		}
		// Longest out of touch first; a new contact counts from its creation.
		if got := followUpIDs(followUps(t, db, a, models.FollowUpOptions{Mine: true, Limit: 1})); !slices.Equal(got, []int64{c2.ID, c1.ID}) {
			t.Fatalf("due = %v", got)
		}
		// Another department's restricted contact is not theirs to see.
		if got := followUpIDs(followUps(t, db, outsider, models.FollowUpOptions{})); slices.Contains(got, c2.ID) {
			t.Fatalf("outsider sees %v", got)
		}
		mustLogInteraction(t, db, a, models.InteractionRequest{Kind: "call", Direction: "outbound", ContactIDs: []int64{c1.ID}})
		if got := followUpIDs(followUps(t, db, a, models.FollowUpOptions{Mine: true})); !slices.Equal(got, []int64{c2.ID}) {
			t.Fatalf("due after the call = %v", got)
		}
		// Two months on, the new contact and the called one are due again.
		later := time.Now().AddDate(0, 2, 0)
		if got := followUpIDs(followUps(t, db, a, models.FollowUpOptions{Mine: true, Now: later})); len(got) != 3 || got[0] != c2.ID {
			t.Fatalf("due in two months = %v", got)
		}
	})
}
