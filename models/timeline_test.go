package models_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"rapport/models"
	"rapport/models/dbtest"
)

// addNotes writes n note items to a contact's timeline in one
// transaction, the i-th happening at at(i), and returns their summaries.
func addNotes(t testing.TB, db *models.DB, actor models.Actor, contactID int64, n int, at func(i int) time.Time) []string {
	t.Helper()
	ctx := context.Background()
	summaries := make([]string, n)
	err := db.Tx(ctx, func(tx *models.DB) error {
		for i := range n {
			summaries[i] = fmt.Sprintf("note %d", i)
			if err := tx.AddTimelineItem(ctx, actor, models.TimelineEntry{Kind: models.TimelineNote, ContactIDs: []int64{contactID},
				OccurredAt: at(i), Summary: summaries[i]}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("add %d notes: %v", n, err)
	}
	return summaries
}

func summariesOf(items []models.TimelineItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Summary
	}
	return out
}

// checkNewestFirst fails unless items are in (occurred_at, id) descending
// order without repeats.
func checkNewestFirst(t *testing.T, items []models.TimelineItem) {
	t.Helper()
	seen := map[int64]bool{}
	for i, it := range items {
		if seen[it.ID] {
			t.Fatalf("item %d listed twice", it.ID)
		}
		seen[it.ID] = true
		if i == 0 {
			continue
		}
		prev := items[i-1]
		if it.OccurredAt.After(prev.OccurredAt) || (it.OccurredAt.Equal(prev.OccurredAt) && it.ID >= prev.ID) {
			t.Fatalf("item %d (%v) listed after item %d (%v)", it.ID, it.OccurredAt, prev.ID, prev.OccurredAt)
		}
	}
}

func TestTimelineFilters(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		sales := newTestDepartment(t, db, "Sales")
		support := newTestDepartment(t, db, "Support")
		actor := newTestActor(t, db, models.RoleMember, sales, support)
		c := mustCreateContact(t, db, actor, models.ContactRequest{GivenName: "Filter", FamilyName: uniqueLabel("Person")})
		base := time.Now().UTC().Truncate(time.Second)
		day := 24 * time.Hour
		call := mustLogInteraction(t, db, actor, models.InteractionRequest{Kind: models.InteractionCall, Direction: models.DirectionOutbound,
			OccurredAt: base.Add(-10 * day), ContactIDs: []int64{c.ID}, ActorDepartmentID: sales})
		meeting := mustLogInteraction(t, db, actor, models.InteractionRequest{Kind: models.InteractionMeeting, Channel: "Video",
			OccurredAt: base.Add(-5 * day), ContactIDs: []int64{c.ID}, ActorDepartmentID: support})
		email := mustLogInteraction(t, db, actor, models.InteractionRequest{Kind: models.InteractionEmail, Direction: models.DirectionInbound,
			OccurredAt: base.Add(-1 * day), ContactIDs: []int64{c.ID}, ActorDepartmentID: sales})
		addNotes(t, db, actor, c.ID, 1, func(int) time.Time { return base.Add(-3 * day) })

		for _, tc := range []struct {
			name string
			opts models.TimelineOptions
			want []string
		}{
			{"everything", models.TimelineOptions{}, []string{"Contact created", email.Summary(), "note 0", meeting.Summary(), call.Summary()}},
			{"interactions", models.TimelineOptions{Kinds: []models.TimelineKind{models.TimelineInteraction}},
				[]string{email.Summary(), meeting.Summary(), call.Summary()}},
			{"notes and changes", models.TimelineOptions{Kinds: []models.TimelineKind{models.TimelineNote, models.TimelineChange}},
				[]string{"Contact created", "note 0"}},
			{"support's work", models.TimelineOptions{DepartmentID: support}, []string{meeting.Summary()}},
			{"by video", models.TimelineOptions{Channel: "video"}, []string{meeting.Summary()}},
			{"by phone, typed loosely", models.TimelineOptions{Channel: " Phone "}, []string{call.Summary()}},
			{"from six to two days ago", models.TimelineOptions{From: base.Add(-6 * day), To: base.Add(-2 * day)},
				[]string{"note 0", meeting.Summary()}},
			{"to is exclusive", models.TimelineOptions{From: base.Add(-10 * day), To: base.Add(-5 * day)}, []string{call.Summary()}},
			{"interactions for sales this week", models.TimelineOptions{Kinds: []models.TimelineKind{models.TimelineInteraction},
				DepartmentID: sales, From: base.Add(-7 * day)}, []string{email.Summary()}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tc.opts.ContactID = c.ID
				items := timelineOf(t, db, actor, tc.opts)
				if got := summariesOf(items); !slices.Equal(got, tc.want) {
					t.Errorf("summaries = %q, want %q", got, tc.want)
				}
			})
		}

		for _, tc := range []struct {
			name  string
			opts  models.TimelineOptions
			field string
		}{
			{"no contact or company", models.TimelineOptions{}, "contact_id"},
			{"both", models.TimelineOptions{ContactID: c.ID, CompanyID: 1}, "contact_id"},
			{"unknown kind", models.TimelineOptions{ContactID: c.ID, Kinds: []models.TimelineKind{"gossip"}}, "kinds"},
			{"backwards range", models.TimelineOptions{ContactID: c.ID, From: base, To: base.Add(-day)}, "to"},
			{"foreign cursor", models.TimelineOptions{ContactID: c.ID, Cursor: "bm90IGEgY3Vyc29y"}, "cursor"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := db.Timeline(ctx, actor, tc.opts)
				if validationFields(t, err)[tc.field] == "" {
					t.Errorf("err = %v, want a problem with %s", err, tc.field)
				}
			})
		}

		counts, err := db.TimelineCounts(ctx, actor, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := map[models.TimelineKind]int64{models.TimelineInteraction: 3, models.TimelineNote: 1, models.TimelineChange: 1}
		if fmt.Sprint(counts) != fmt.Sprint(want) {
			t.Errorf("counts = %v, want %v", counts, want)
		}
	})
}

func TestTimelinePagination(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		actor := newTestActor(t, db, models.RoleMember)
		c := mustCreateContact(t, db, actor, models.ContactRequest{GivenName: "Busy", FamilyName: uniqueLabel("Person")})
		base := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
		// Seven items share each moment, so pages end inside runs of equal
		// times and only the id keeps the order.
		addNotes(t, db, actor, c.ID, 230, func(i int) time.Time { return base.Add(-time.Duration(i/7) * time.Minute) })
		const total = 231 // and "Contact created"

		for _, limit := range []int{50, 7, 13} {
			t.Run(fmt.Sprintf("pages of %d", limit), func(t *testing.T) {
				var items []models.TimelineItem
				opts := models.TimelineOptions{ContactID: c.ID, Limit: limit}
				for pages := 0; ; pages++ {
					page, err := db.Timeline(ctx, actor, opts)
					if err != nil {
						t.Fatal(err)
					}
					if len(page.Items) > limit || (page.NextCursor != "" && len(page.Items) != limit) {
						t.Fatalf("page %d has %d items", pages, len(page.Items))
					}
					items = append(items, page.Items...)
					if page.NextCursor == "" {
						break
					}
					opts.Cursor = page.NextCursor
				}
				if len(items) != total {
					t.Fatalf("listed %d items, want %d", len(items), total)
				}
				checkNewestFirst(t, items)
				if items[0].Summary != "Contact created" || items[1].Summary != "note 6" || items[7].Summary != "note 0" ||
					items[total-1].Summary != "note 224" {
					t.Errorf("order: %q", summariesOf(items[:9]))
				}
			})
		}

		// New items do not shift the pages of a listing under way.
		first, err := db.Timeline(ctx, actor, models.TimelineOptions{ContactID: c.ID, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		addNotes(t, db, actor, c.ID, 3, func(int) time.Time { return time.Now() })
		rest := timelineOf(t, db, actor, models.TimelineOptions{ContactID: c.ID, Limit: 50, Cursor: first.NextCursor})
		all := append(first.Items, rest...)
		if len(all) != total {
			t.Errorf("listed %d items while others were added, want %d", len(all), total)
		}
		checkNewestFirst(t, all)

		// Every list is bounded.
		page, err := db.Timeline(ctx, actor, models.TimelineOptions{ContactID: c.ID, Limit: 10000})
		if err != nil || len(page.Items) != 200 {
			t.Errorf("a page asked for 10000 items has %d, %v", len(page.Items), err)
		}
		// A cursor belongs to its list.
		feed, err := db.Activity(ctx, actor, models.ActivityOptions{Mine: true, Limit: 5})
		if err != nil || feed.NextCursor == "" {
			t.Fatalf("activity: %v", err)
		}
		_, err = db.Timeline(ctx, actor, models.TimelineOptions{ContactID: c.ID, Cursor: feed.NextCursor})
		if validationFields(t, err)["cursor"] == "" {
			t.Errorf("activity cursor on a timeline: %v", err)
		}
	})
}

func TestTimelineVisibility(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		billing := newTestDepartment(t, db, "Billing")
		sales := newTestDepartment(t, db, "Sales")
		biller := newTestActor(t, db, models.RoleMember, billing)
		seller := newTestActor(t, db, models.RoleMember, sales)
		admin := newTestActor(t, db, models.RoleAdmin, sales)
		family := uniqueLabel("Visible")
		secret := mustCreateContact(t, db, biller, models.ContactRequest{GivenName: "Secret", FamilyName: family, RestrictedDepartmentID: &billing})
		open := mustCreateContact(t, db, seller, models.ContactRequest{GivenName: "Open", FamilyName: family})
		since := time.Now().UTC().Add(-time.Minute)
		mustLogInteraction(t, db, biller, models.InteractionRequest{Kind: models.InteractionCall, Direction: models.DirectionInbound,
			ContactIDs: []int64{secret.ID}, Subject: "Card declined"})
		err := db.AddTimelineItem(ctx, biller, models.TimelineEntry{Kind: models.TimelineNote, ContactIDs: []int64{open.ID},
			Summary: "Owes us money", RestrictedDepartmentID: &billing})
		if err != nil {
			t.Fatal(err)
		}
		err = db.AddTimelineItem(ctx, seller, models.TimelineEntry{Kind: models.TimelineNote, ContactIDs: []int64{open.ID}, Summary: "Likes golf"})
		if err != nil {
			t.Fatal(err)
		}

		for _, tc := range []struct {
			name          string
			actor         models.Actor
			inBilling     bool
			openSummaries []string
		}{
			{"billing member", biller, true, []string{"Likes golf", "Owes us money"}},
			{"sales member", seller, false, []string{"Likes golf"}},
			{"admin outside billing", admin, false, []string{"Likes golf"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := db.Timeline(ctx, tc.actor, models.TimelineOptions{ContactID: secret.ID})
				if tc.inBilling != (err == nil) || (!tc.inBilling && !errors.Is(err, models.ErrNotFound)) {
					t.Errorf("restricted contact's timeline: %v", err)
				}
				_, err = db.TimelineCounts(ctx, tc.actor, secret.ID)
				if tc.inBilling != (err == nil) || (!tc.inBilling && !errors.Is(err, models.ErrNotFound)) {
					t.Errorf("restricted contact's counts: %v", err)
				}
				notes := timelineOf(t, db, tc.actor, models.TimelineOptions{ContactID: open.ID, Kinds: []models.TimelineKind{models.TimelineNote}})
				if got := summariesOf(notes); !slices.Equal(got, tc.openSummaries) {
					t.Errorf("notes = %q, want %q", got, tc.openSummaries)
				}
				counts, err := db.TimelineCounts(ctx, tc.actor, open.ID)
				if err != nil || counts[models.TimelineNote] != int64(len(tc.openSummaries)) {
					t.Errorf("counts = %v, %v", counts, err)
				}
				feed := summariesOf(activityOf(t, db, tc.actor, models.ActivityOptions{Since: since}))
				if slices.Contains(feed, "Inbound call: Card declined") != tc.inBilling || slices.Contains(feed, "Owes us money") != tc.inBilling ||
					!slices.Contains(feed, "Likes golf") {
					t.Errorf("activity = %q", feed)
				}
			})
		}
		// Deleting a contact takes its timeline with it.
		if err := db.DeleteContact(ctx, seller, open.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Timeline(ctx, seller, models.TimelineOptions{ContactID: open.ID}); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("deleted contact's timeline: %v", err)
		}
		if feed := summariesOf(activityOf(t, db, seller, models.ActivityOptions{Since: since})); slices.Contains(feed, "Likes golf") {
			t.Errorf("deleted contact's items in the activity feed: %q", feed)
		}
	})
}

func TestCompanyTimeline(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		billing := newTestDepartment(t, db, "Billing")
		biller := newTestActor(t, db, models.RoleMember, billing)
		seller := newTestActor(t, db, models.RoleMember)
		company := uniqueLabel("Acme Timeline ")
		ann := mustCreateContact(t, db, seller, models.ContactRequest{GivenName: "Ann", FamilyName: "Acme", CompanyName: company})
		ben := mustCreateContact(t, db, seller, models.ContactRequest{GivenName: "Ben", FamilyName: "Acme", CompanyName: company})
		cfo := mustCreateContact(t, db, biller, models.ContactRequest{GivenName: "Cat", FamilyName: "Acme", CompanyName: company, RestrictedDepartmentID: &billing})
		other := mustCreateContact(t, db, seller, models.ContactRequest{GivenName: "Dan", FamilyName: "Elsewhere"})
		base := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
		for i, c := range []*models.Contact{ann, ben, cfo, other, ann, ben} {
			actor := seller
			if c == cfo {
				actor = biller
			}
			mustLogInteraction(t, db, actor, models.InteractionRequest{Kind: models.InteractionCall, Direction: models.DirectionOutbound,
				OccurredAt: base.Add(time.Duration(i) * time.Minute), ContactIDs: []int64{c.ID}, Subject: fmt.Sprintf("call %d", i)})
		}

		calls := func(actor models.Actor, limit int) []string {
			items := timelineOf(t, db, actor, models.TimelineOptions{CompanyID: *ann.CompanyID,
				Kinds: []models.TimelineKind{models.TimelineInteraction}, Limit: limit})
			checkNewestFirst(t, items)
			var out []string
			for _, it := range items {
				out = append(out, it.ContactName+": "+strings.TrimPrefix(it.Summary, "Outbound call: "))
			}
			return out
		}
		if got, want := calls(seller, 2), []string{"Ben Acme: call 5", "Ann Acme: call 4", "Ben Acme: call 1", "Ann Acme: call 0"}; !slices.Equal(got, want) {
			t.Errorf("seller sees %q, want %q", got, want)
		}
		if got, want := calls(biller, 0), []string{"Ben Acme: call 5", "Ann Acme: call 4", "Cat Acme: call 2", "Ben Acme: call 1", "Ann Acme: call 0"}; !slices.Equal(got, want) {
			t.Errorf("biller sees %q, want %q", got, want)
		}
		if _, err := db.Timeline(ctx, seller, models.TimelineOptions{CompanyID: 1 << 40}); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("unknown company: %v", err)
		}
	})
}

func TestActivity(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		me := newTestActor(t, db, models.RoleMember)
		colleague := newTestActor(t, db, models.RoleMember)
		mine := mustCreateContact(t, db, me, models.ContactRequest{GivenName: "Mine", FamilyName: uniqueLabel("Owned")})
		theirs := mustCreateContact(t, db, colleague, models.ContactRequest{GivenName: "Theirs", FamilyName: uniqueLabel("Owned")})
		lunchSubject := uniqueLabel("Lunch ") // unique: the feed below is everyone's, and -count reruns
		lunchItem := "Meeting: " + lunchSubject
		old := time.Now().UTC().Add(-30 * 24 * time.Hour)
		since := time.Now().UTC().Add(-time.Minute)
		mustLogInteraction(t, db, me, models.InteractionRequest{Kind: models.InteractionMeeting, OccurredAt: old, ContactIDs: []int64{mine.ID}, Subject: "Old news"})
		mustLogInteraction(t, db, colleague, models.InteractionRequest{Kind: models.InteractionMeeting, ContactIDs: []int64{mine.ID, theirs.ID}, Subject: lunchSubject})

		got := summariesOf(activityOf(t, db, me, models.ActivityOptions{Mine: true}))
		if want := []string{lunchItem, "Contact created", "Meeting: Old news"}; !slices.Equal(got, want) {
			t.Errorf("mine = %q, want %q", got, want)
		}
		got = summariesOf(activityOf(t, db, me, models.ActivityOptions{Mine: true, Since: since}))
		if want := []string{lunchItem, "Contact created"}; !slices.Equal(got, want) {
			t.Errorf("mine since a minute ago = %q, want %q", got, want)
		}
		got = summariesOf(activityOf(t, db, colleague, models.ActivityOptions{Mine: true, Kinds: []models.TimelineKind{models.TimelineInteraction}}))
		if want := []string{lunchItem}; !slices.Equal(got, want) {
			t.Errorf("colleague's interactions = %q, want %q", got, want)
		}
		all := activityOf(t, db, me, models.ActivityOptions{Since: since})
		checkNewestFirst(t, all)
		lunch := 0
		for _, it := range all {
			if it.Summary == lunchItem {
				lunch++
			}
		}
		if lunch != 2 {
			t.Errorf("lunch appears %d times in the whole feed, want once per contact", lunch)
		}
		if _, err := db.Activity(ctx, me, models.ActivityOptions{Kinds: []models.TimelineKind{"rumour"}}); validationFields(t, err)["kinds"] == "" {
			t.Errorf("unknown kind: %v", err)
		}
	})
}

// Someone who owns more contacts than a page merges one by one gets the
// same feed, read from the activity index.
func TestActivityManyContacts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		me := newTestActor(t, db, models.RoleMember)
		family := uniqueLabel("Many")
		for i := range 60 {
			mustCreateContact(t, db, me, models.ContactRequest{GivenName: fmt.Sprint(i), FamilyName: family})
		}
		var all []models.TimelineItem
		opts := models.ActivityOptions{Mine: true, Limit: 25}
		for {
			page, err := db.Activity(context.Background(), me, opts)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, page.Items...)
			if page.NextCursor == "" {
				break
			}
			opts.Cursor = page.NextCursor
		}
		if len(all) != 60 {
			t.Fatalf("listed %d items, want 60", len(all))
		}
		checkNewestFirst(t, all)
		if all[0].ContactName != "59 "+family || all[59].ContactName != "0 "+family {
			t.Errorf("first and last: %q, %q", all[0].ContactName, all[59].ContactName)
		}
	})
}

func TestProfileHistory(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		sales := newTestDepartment(t, db, "Sales")
		actor := newTestActor(t, db, models.RoleMember, sales)
		heir := newTestActor(t, db, models.RoleMember)
		c := mustCreateContact(t, db, actor, models.ContactRequest{GivenName: "Grace", FamilyName: uniqueLabel("Hopper"), JobTitle: "Sales Lead"})

		history := func() []models.TimelineItem {
			return timelineOf(t, db, actor, models.TimelineOptions{ContactID: c.ID,
				Kinds: []models.TimelineKind{models.TimelineChange, models.TimelineOwner}})
		}
		items := history()
		if len(items) != 1 || items[0].Summary != "Contact created" || items[0].ActorName != actor.Name || items[0].ActorDepartmentID == nil ||
			*items[0].ActorDepartmentID != sales || items[0].Source != models.TimelineSourceUser {
			t.Fatalf("after create: %+v", items)
		}

		c, err := db.UpdateContact(ctx, actor, c.ID, models.ContactPatch{Version: c.Version, JobTitle: ptrTo("VP Sales"),
			Tags: &[]string{"vip", "board"}, About: ptrTo("A long story.")})
		if err != nil {
			t.Fatal(err)
		}
		items = history()
		if len(items) != 2 {
			t.Fatalf("after update: %q", summariesOf(items))
		}
		change := items[0]
		if want := "Job title: Sales Lead → VP Sales; About changed; Tags: — → vip, board"; change.Summary != want {
			t.Errorf("summary = %q, want %q", change.Summary, want)
		}
		if change.Kind != models.TimelineChange || change.ActorName != actor.Name || change.ActorDepartmentName == "" {
			t.Errorf("change item = %+v", change)
		}
		var data struct {
			Action  string
			Changes []models.ContactChange
		}
		if err := json.Unmarshal(change.Data, &data); err != nil {
			t.Fatal(err)
		}
		if data.Action != "update" || len(data.Changes) != 3 || data.Changes[0] != (models.ContactChange{Field: "job_title", Label: "Job title", Old: "Sales Lead", New: "VP Sales"}) {
			t.Errorf("data = %s", change.Data)
		}

		// A birthday reads as a date, with or without its year.
		if c, err = db.UpdateContact(ctx, actor, c.ID, models.ContactPatch{Version: c.Version, Birthday: ptrTo("--12-25")}); err != nil {
			t.Fatal(err)
		}
		if c, err = db.UpdateContact(ctx, actor, c.ID, models.ContactPatch{Version: c.Version, Birthday: ptrTo("1984-12-25")}); err != nil {
			t.Fatal(err)
		}
		items = history()
		if want := "Birthday: 25 December → 25 December 1984"; len(items) != 4 || items[0].Summary != want {
			t.Errorf("birthday change reads %q, want %q", items[0].Summary, want)
		}

		// A new owner gets an item of its own.
		if c, err = db.UpdateContact(ctx, actor, c.ID, models.ContactPatch{Version: c.Version, OwnerID: &heir.UserID}); err != nil {
			t.Fatal(err)
		}
		items = history()
		if len(items) != 5 || items[0].Kind != models.TimelineOwner || items[0].Summary != "Owner: "+actor.Name+" → "+heir.Name {
			t.Errorf("after owner change: %+v", items[0])
		}
		// Nothing changed, nothing written; a refused change writes nothing.
		if c, err = db.UpdateContact(ctx, actor, c.ID, models.ContactPatch{Version: c.Version, JobTitle: ptrTo("VP Sales")}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateContact(ctx, actor, c.ID, models.ContactPatch{Version: c.Version, JobTitle: ptrTo(strings.Repeat("x", 300))}); err == nil {
			t.Fatal("an overlong title was saved")
		}
		if n := len(history()); n != 5 {
			t.Errorf("%d history items after a no-op and a refused update, want 5", n)
		}

		if err := db.DeleteContact(ctx, actor, c.ID); err != nil {
			t.Fatal(err)
		}
		var deleted int64
		err = db.SQL().QueryRowContext(ctx, fmt.Sprintf("SELECT COUNT(*) FROM timeline_items WHERE contact_id = %d AND kind = 'change' AND summary = 'Contact deleted'", c.ID)).Scan(&deleted)
		if err != nil || deleted != 1 {
			t.Errorf("deletion items = %d, %v", deleted, err)
		}
	})
}

func TestAddTimelineItem(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		billing := newTestDepartment(t, db, "Billing")
		biller := newTestActor(t, db, models.RoleMember, billing)
		seller := newTestActor(t, db, models.RoleMember)
		secret := mustCreateContact(t, db, biller, models.ContactRequest{GivenName: "Posting", FamilyName: uniqueLabel("Person"), RestrictedDepartmentID: &billing})
		ref := models.TimelineRef{Type: "social_post", ID: time.Now().UnixNano()}

		// A feed fetch runs as the system and reaches any live contact.
		post := models.TimelineEntry{Kind: models.TimelineSocial, ContactIDs: []int64{secret.ID}, Source: models.TimelineSourceFeed,
			Ref: ref, Channel: "Mastodon", Summary: "Posted: shipping v2 today", Data: map[string]any{"url": "https://example.social/@p/1"}}
		if err := db.AddTimelineItem(ctx, models.System, post); err != nil {
			t.Fatalf("AddTimelineItem: %v", err)
		}
		items := timelineOf(t, db, biller, models.TimelineOptions{ContactID: secret.ID, Channel: "mastodon"})
		if len(items) != 1 || items[0].Ref == nil || *items[0].Ref != ref || items[0].ActorUserID != nil || items[0].Attribution() != "Social feed" ||
			string(items[0].Data) != `{"url":"https://example.social/@p/1"}` {
			t.Fatalf("feed items = %+v", items)
		}
		if err := db.AddTimelineItem(ctx, models.System, post); !errors.Is(err, models.ErrConflict) {
			t.Errorf("the same post twice: %v, want ErrConflict", err)
		}

		post.Summary, post.ContactIDs = "Posted: shipping v2 tomorrow", nil
		if err := db.UpdateTimelineItems(ctx, models.System, post); err != nil {
			t.Fatalf("UpdateTimelineItems: %v", err)
		}
		if items := timelineOf(t, db, biller, models.TimelineOptions{ContactID: secret.ID, Channel: "mastodon"}); len(items) != 1 || items[0].Summary != post.Summary {
			t.Errorf("after update: %+v", items)
		}
		if err := db.RemoveTimelineItems(ctx, models.System, ref); err != nil {
			t.Fatal(err)
		}
		if items := timelineOf(t, db, biller, models.TimelineOptions{ContactID: secret.ID, Channel: "mastodon"}); len(items) != 0 {
			t.Errorf("after remove: %+v", items)
		}
		if err := db.UpdateTimelineItems(ctx, models.System, post); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("updating removed items: %v", err)
		}

		// People write only where they can see.
		note := models.TimelineEntry{Kind: models.TimelineNote, ContactIDs: []int64{secret.ID}, Summary: "Hello"}
		if err := db.AddTimelineItem(ctx, seller, note); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("note on a contact one cannot see: %v", err)
		}
		for _, tc := range []struct {
			field string
			mod   func(e *models.TimelineEntry)
		}{
			{"kind", func(e *models.TimelineEntry) { e.Kind = "gossip" }},
			{"summary", func(e *models.TimelineEntry) { e.Summary = " \n " }},
			{"summary", func(e *models.TimelineEntry) { e.Summary = strings.Repeat("s", 501) }},
			{"data", func(e *models.TimelineEntry) { e.Data = []int{1, 2} }},
			{"data", func(e *models.TimelineEntry) { e.Data = map[string]string{"big": strings.Repeat("d", 20000)} }},
			{"source", func(e *models.TimelineEntry) { e.Source = "rumour" }},
			{"ref", func(e *models.TimelineEntry) { e.Ref = models.TimelineRef{Type: "Note!", ID: 1} }},
			{"contact_ids", func(e *models.TimelineEntry) { e.ContactIDs = nil }},
			{"restricted_department_id", func(e *models.TimelineEntry) { e.RestrictedDepartmentID = ptrTo(int64(1 << 40)) }},
		} {
			e := note
			tc.mod(&e)
			if err := db.AddTimelineItem(ctx, biller, e); validationFields(t, err)[tc.field] == "" {
				t.Errorf("%+v: %v, want a problem with %s", e, err, tc.field)
			}
		}
		if err := db.AddTimelineItem(ctx, models.System, models.TimelineEntry{Kind: models.TimelineImport, ContactIDs: []int64{secret.ID},
			Summary: "x", ActorDepartmentID: 1 << 40}); validationFields(t, err)["actor_department_id"] == "" {
			t.Errorf("unknown department: %v", err)
		}
	})
}

// The page query is a range scan of timeline_items_contact_idx on both
// databases. Run with -v to see the plans.
func TestTimelinePlan(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		actor := newTestActor(t, db, models.RoleMember)
		c := mustCreateContact(t, db, actor, models.ContactRequest{GivenName: "Planned", FamilyName: uniqueLabel("Person")})
		base := time.Now().UTC().Add(-time.Hour)
		addNotes(t, db, actor, c.ID, 300, func(i int) time.Time { return base.Add(-time.Duration(i) * time.Second) })
		// Items done for several departments, as in a real history.
		for _, name := range []string{"Support", "Billing", "Marketing"} {
			colleague := newTestActor(t, db, models.RoleMember, newTestDepartment(t, db, name))
			addNotes(t, db, colleague, c.ID, 100, func(i int) time.Time { return base.Add(-time.Duration(i)*time.Second - time.Hour) })
		}
		// Other people's items, newer and older, so that the planner sees
		// this contact as the small part of the table it would really be.
		company := uniqueLabel("Planned Ltd ")
		for i := range 4 {
			other := mustCreateContact(t, db, actor, models.ContactRequest{GivenName: "Other", FamilyName: uniqueLabel(fmt.Sprint(i)), CompanyName: company})
			addNotes(t, db, actor, other.ID, 300, func(j int) time.Time { return base.Add(time.Duration(j-150) * time.Second) })
		}
		// With statistics, as after an import or a bench load: SQLite once
		// preferred another timeline index then, and sorted every page.
		if err := db.Analyze(ctx); err != nil {
			t.Fatal(err)
		}
		page, err := db.Timeline(ctx, actor, models.TimelineOptions{ContactID: c.ID})
		if err != nil {
			t.Fatal(err)
		}
		others, err := db.Contacts(ctx, actor, models.ContactListOptions{Query: company})
		if err != nil || len(others.Contacts) != 4 {
			t.Fatalf("company's people: %v", err)
		}
		for _, opts := range []models.TimelineOptions{{ContactID: c.ID}, {ContactID: c.ID, Cursor: page.NextCursor},
			{CompanyID: *others.Contacts[0].CompanyID}} {
			plan, err := db.TimelinePlan(ctx, actor, opts, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("plan:\n%s", plan)
			// The page is read from each contact's timeline index, never by
			// reading the table or walking the whole activity index.
			if !strings.Contains(plan, "timeline_items_contact_idx") || strings.Contains(plan, "timeline_items_feed_idx") ||
				strings.Contains(plan, "Seq Scan on timeline_items") || strings.Contains(plan, "SCAN timeline_items") ||
				(opts.ContactID != 0 && (strings.Contains(plan, "TEMP B-TREE") || strings.Contains(plan, "Sort Key"))) {
				t.Errorf("the page query does not range-scan timeline_items_contact_idx:\n%s", plan)
			}
		}
	})
}

// BenchmarkTimelinePage reads page 1 and page 100 (through cursors) of a
// contact with 10,000 items, among other contacts' items.
func BenchmarkTimelinePage(b *testing.B) {
	for _, dialect := range dbtest.Dialects {
		b.Run(dialect, func(b *testing.B) {
			db, _ := dbtest.Fresh(b, dialect)
			ctx := context.Background()
			sales, err := db.CreateDepartment(ctx, "Sales")
			if err != nil {
				b.Fatal(err)
			}
			u, err := db.CreateUser(ctx, models.UserRequest{Email: "bench@example.com", Name: "Bench", Role: models.RoleMember,
				Password: "correct horse battery", DepartmentIDs: []int64{sales.ID}})
			if err != nil {
				b.Fatal(err)
			}
			actor := u.Actor("session")
			busy := mustCreateContact(b, db, actor, models.ContactRequest{GivenName: "Busy", FamilyName: "Person"})
			base := time.Now().UTC().Add(-time.Hour)
			addNotes(b, db, actor, busy.ID, 10000, func(i int) time.Time { return base.Add(-time.Duration(i/3) * time.Minute) })
			for i := range 20 {
				c := mustCreateContact(b, db, actor, models.ContactRequest{GivenName: "Other", FamilyName: fmt.Sprint(i)})
				addNotes(b, db, actor, c.ID, 500, func(j int) time.Time { return base.Add(-time.Duration(j) * time.Minute) })
			}
			if dialect == "postgres" {
				if _, err := db.SQL().ExecContext(ctx, "ANALYZE"); err != nil {
					b.Fatal(err)
				}
			}
			opts := models.TimelineOptions{ContactID: busy.ID, Limit: 50}
			cursors := []string{""}
			for range 99 {
				opts.Cursor = cursors[len(cursors)-1]
				page, err := db.Timeline(ctx, actor, opts)
				if err != nil || page.NextCursor == "" {
					b.Fatalf("walking to page 100: %v", err)
				}
				cursors = append(cursors, page.NextCursor)
			}
			for _, p := range []int{1, 100} {
				opts.Cursor = cursors[p-1]
				plan, err := db.TimelinePlan(ctx, actor, opts, nil)
				if err != nil {
					b.Fatal(err)
				}
				b.Logf("%s page %d plan:\n%s", dialect, p, plan)
				b.Run(fmt.Sprintf("page%d", p), func(b *testing.B) {
					for b.Loop() {
						page, err := db.Timeline(ctx, actor, opts)
						if err != nil || len(page.Items) != 50 {
							b.Fatalf("page %d: %v", p, err)
						}
					}
				})
			}
		})
	}
}
