package models_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"rapport/models"
	"rapport/models/dbtest"
)

func mustLogInteraction(t testing.TB, db *models.DB, actor models.Actor, req models.InteractionRequest) *models.Interaction {
	t.Helper()
	i, err := db.LogInteraction(context.Background(), actor, req)
	if err != nil {
		t.Fatalf("LogInteraction(%+v): %v", req, err)
	}
	return i
}

// timelineOf reads every page of a timeline.
func timelineOf(t testing.TB, db *models.DB, actor models.Actor, opts models.TimelineOptions) []models.TimelineItem {
	t.Helper()
	var items []models.TimelineItem
	for {
		page, err := db.Timeline(context.Background(), actor, opts)
		if err != nil {
			t.Fatalf("Timeline(%+v): %v", opts, err)
		}
		items = append(items, page.Items...)
		if page.NextCursor == "" {
			return items
		}
		opts.Cursor = page.NextCursor
	}
}

// interactionItems keeps the items of one interaction.
func interactionItems(items []models.TimelineItem, id int64) []models.TimelineItem {
	var out []models.TimelineItem
	for _, it := range items {
		if it.Ref != nil && it.Ref.Type == "interaction" && it.Ref.ID == id {
			out = append(out, it)
		}
	}
	return out
}

// activityOf reads every page of the activity feed.
func activityOf(t testing.TB, db *models.DB, actor models.Actor, opts models.ActivityOptions) []models.TimelineItem {
	t.Helper()
	var items []models.TimelineItem
	for {
		page, err := db.Activity(context.Background(), actor, opts)
		if err != nil {
			t.Fatalf("Activity(%+v): %v", opts, err)
		}
		items = append(items, page.Items...)
		if page.NextCursor == "" {
			return items
		}
		opts.Cursor = page.NextCursor
	}
}

func contactTimeline(t testing.TB, db *models.DB, actor models.Actor, contactID int64) []models.TimelineItem {
	t.Helper()
	return timelineOf(t, db, actor, models.TimelineOptions{ContactID: contactID})
}

func lastContacted(t testing.TB, db *models.DB, actor models.Actor, contactID int64) *time.Time {
	t.Helper()
	c, err := db.Contact(context.Background(), actor, contactID)
	if err != nil {
		t.Fatalf("Contact(%d): %v", contactID, err)
	}
	return c.LastContactedAt
}

func TestLogInteractionFansOut(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		sales := newTestDepartment(t, db, "Sales")
		actor := newTestActor(t, db, models.RoleMember, sales)
		colleague := newTestActor(t, db, models.RoleMember)
		ada := mustCreateContact(t, db, actor, models.ContactRequest{GivenName: "Ada", FamilyName: uniqueLabel("Lovelace")})
		bob := mustCreateContact(t, db, actor, models.ContactRequest{GivenName: "Bob", FamilyName: uniqueLabel("Babbage")})
		at := time.Now().UTC().Add(-3 * time.Hour).Truncate(time.Microsecond)

		call := mustLogInteraction(t, db, actor, models.InteractionRequest{
			Kind: models.InteractionCall, Direction: models.DirectionOutbound, OccurredAt: at, DurationSeconds: 300,
			ContactIDs: []int64{ada.ID, bob.ID, ada.ID}, UserIDs: []int64{colleague.UserID},
			Subject: "Renewal pricing", Body: "Talked through\nthe <b>renewal</b>.", Outcome: "Sending a quote",
		})
		if call.Version != 1 || call.Channel != "phone" || call.Source != models.TimelineSourceUser || !call.OccurredAt.Equal(at) {
			t.Errorf("interaction = %+v", call)
		}
		if len(call.Contacts) != 2 || call.Contacts[0].ID != ada.ID || call.Contacts[0].Name != ada.Name() || call.Contacts[1].ID != bob.ID {
			t.Errorf("contacts = %+v", call.Contacts)
		}
		if len(call.Users) != 1 || call.Users[0].ID != colleague.UserID || call.Users[0].Name != colleague.Name {
			t.Errorf("users = %+v", call.Users)
		}
		if call.ActorDepartmentID == nil || *call.ActorDepartmentID != sales {
			t.Errorf("actor department = %v, want %d", call.ActorDepartmentID, sales)
		}

		for _, c := range []*models.Contact{ada, bob} {
			items := interactionItems(contactTimeline(t, db, actor, c.ID), call.ID)
			if len(items) != 1 {
				t.Fatalf("contact %d: %d items of the call, want 1", c.ID, len(items))
			}
			it := items[0]
			if it.Kind != models.TimelineInteraction || it.ContactID != c.ID || it.ContactName != c.Name() || !it.OccurredAt.Equal(at) {
				t.Errorf("item = %+v", it)
			}
			if it.ActorUserID == nil || *it.ActorUserID != actor.UserID || it.ActorName != actor.Name || it.ActorDepartmentName == "" ||
				it.ActorDepartmentID == nil || *it.ActorDepartmentID != sales {
				t.Errorf("item author = %v %q, department %v %q", it.ActorUserID, it.ActorName, it.ActorDepartmentID, it.ActorDepartmentName)
			}
			if it.Attribution() != actor.Name+" · "+it.ActorDepartmentName {
				t.Errorf("attribution = %q", it.Attribution())
			}
			if it.Summary != "Outbound call: Renewal pricing" || it.Channel != "phone" || it.Source != models.TimelineSourceUser {
				t.Errorf("summary, channel, source = %q, %q, %q", it.Summary, it.Channel, it.Source)
			}
			var data map[string]any
			if err := json.Unmarshal(it.Data, &data); err != nil {
				t.Fatalf("data %s: %v", it.Data, err)
			}
			if data["interaction_kind"] != "call" || data["outcome"] != "Sending a quote" || data["excerpt"] != "Talked through the <b>renewal</b>." ||
				data["duration_seconds"] != float64(300) {
				t.Errorf("data = %s", it.Data)
			}
			if got := lastContacted(t, db, actor, c.ID); got == nil || !got.Equal(at) {
				t.Errorf("last contacted = %v, want %v", got, at)
			}
		}

		// An older interaction leaves last_contacted_at; a newer one moves it.
		mustLogInteraction(t, db, actor, models.InteractionRequest{Kind: models.InteractionEmail, Direction: models.DirectionInbound,
			OccurredAt: at.AddDate(-1, 0, 0), ContactIDs: []int64{ada.ID}})
		if got := lastContacted(t, db, actor, ada.ID); got == nil || !got.Equal(at) {
			t.Errorf("after an older email, last contacted = %v, want %v", got, at)
		}
		later := at.Add(time.Hour)
		mustLogInteraction(t, db, actor, models.InteractionRequest{Kind: models.InteractionMeeting, OccurredAt: later, ContactIDs: []int64{ada.ID}})
		if got := lastContacted(t, db, actor, ada.ID); got == nil || !got.Equal(later) {
			t.Errorf("after a later meeting, last contacted = %v, want %v", got, later)
		}

		// An API token's work is marked as such.
		viaAPI := actor
		viaAPI.Via = "token"
		msg := mustLogInteraction(t, db, viaAPI, models.InteractionRequest{Kind: models.InteractionMessage, Direction: models.DirectionInbound,
			Channel: "SMS", ContactIDs: []int64{bob.ID}})
		if msg.Source != models.TimelineSourceAPI || msg.Channel != "sms" {
			t.Errorf("message via API: source %q, channel %q", msg.Source, msg.Channel)
		}

		admin := newTestActor(t, db, models.RoleAdmin)
		evs, err := db.AuditEvents(ctx, admin, models.AuditListOptions{Action: "interaction.create", ActorID: actor.UserID})
		if err != nil || len(evs) != 4 {
			t.Errorf("audit events = %d, %v; want 4", len(evs), err)
		}
	})
}

func TestInteractionEditShowsOnEveryTimeline(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		actor := newTestActor(t, db, models.RoleMember, newTestDepartment(t, db, "Sales"))
		editor := newTestActor(t, db, models.RoleMember, newTestDepartment(t, db, "Support"))
		var people []*models.Contact
		for _, n := range []string{"Ann", "Ben", "Cy", "Di"} {
			people = append(people, mustCreateContact(t, db, actor, models.ContactRequest{GivenName: n, FamilyName: uniqueLabel("Meet")}))
		}
		at := time.Now().UTC().Add(-48 * time.Hour).Truncate(time.Microsecond)
		meeting := mustLogInteraction(t, db, actor, models.InteractionRequest{Kind: models.InteractionMeeting, OccurredAt: at,
			ContactIDs: []int64{people[0].ID, people[1].ID, people[2].ID}, Subject: "Kick-off"})

		moved := at.Add(-24 * time.Hour)
		updated, err := db.UpdateInteraction(ctx, editor, meeting.ID, models.InteractionPatch{Version: meeting.Version,
			Subject: ptrTo("Project kick-off"), OccurredAt: &moved, Channel: ptrTo("video")})
		if err != nil {
			t.Fatalf("UpdateInteraction: %v", err)
		}
		if updated.Version != 2 || updated.Subject != "Project kick-off" || updated.Channel != "video" || !updated.OccurredAt.Equal(moved) {
			t.Errorf("updated = %+v", updated)
		}
		for _, c := range people[:3] {
			items := interactionItems(contactTimeline(t, db, actor, c.ID), meeting.ID)
			if len(items) != 1 {
				t.Fatalf("contact %d: %d items, want 1", c.ID, len(items))
			}
			it := items[0]
			var data struct{ Version int64 }
			_ = json.Unmarshal(it.Data, &data)
			if it.Summary != "Meeting: Project kick-off" || it.Channel != "video" || !it.OccurredAt.Equal(moved) || data.Version != 2 {
				t.Errorf("contact %d item = %+v, data %s", c.ID, it, it.Data)
			}
			// Still credited to whoever logged it, for their department.
			if it.ActorUserID == nil || *it.ActorUserID != actor.UserID || it.ActorDepartmentID == nil || *it.ActorDepartmentID != actor.DepartmentIDs[0] {
				t.Errorf("credit changed to %v, %v", it.ActorUserID, it.ActorDepartmentID)
			}
			// The meeting was their last contact, and it moved back a day.
			if got := lastContacted(t, db, actor, c.ID); got == nil || !got.Equal(moved) {
				t.Errorf("contact %d last contacted = %v, want %v", c.ID, got, moved)
			}
		}

		// A stale version changes nothing and says what is there now.
		_, err = db.UpdateInteraction(ctx, actor, meeting.ID, models.InteractionPatch{Version: meeting.Version, Subject: ptrTo("Lost")})
		var conflict *models.ConflictError[models.Interaction]
		if !errors.As(err, &conflict) || !errors.Is(err, models.ErrConflict) || conflict.Current.Subject != "Project kick-off" {
			t.Fatalf("stale update: %v", err)
		}

		// Changing who was there moves the item between timelines.
		updated, err = db.UpdateInteraction(ctx, actor, meeting.ID, models.InteractionPatch{Version: updated.Version,
			ContactIDs: &[]int64{people[0].ID, people[1].ID, people[3].ID}})
		if err != nil {
			t.Fatalf("change participants: %v", err)
		}
		if n := len(interactionItems(contactTimeline(t, db, actor, people[2].ID), meeting.ID)); n != 0 {
			t.Errorf("removed participant still has %d items", n)
		}
		if got := lastContacted(t, db, actor, people[2].ID); got != nil {
			t.Errorf("removed participant's last contacted = %v, want none", got)
		}
		items := interactionItems(contactTimeline(t, db, actor, people[3].ID), meeting.ID)
		if len(items) != 1 || items[0].Summary != "Meeting: Project kick-off" || items[0].ActorUserID == nil || *items[0].ActorUserID != actor.UserID {
			t.Errorf("added participant's items = %+v", items)
		}
		if len(updated.Contacts) != 3 || updated.Version != 3 {
			t.Errorf("participants = %+v, version %d", updated.Contacts, updated.Version)
		}

		// Saving without changes keeps the version.
		same, err := db.UpdateInteraction(ctx, actor, meeting.ID, models.InteractionPatch{Version: updated.Version, Subject: ptrTo(" Project kick-off ")})
		if err != nil || same.Version != updated.Version {
			t.Errorf("no-op update: version %v, %v", same, err)
		}
	})
}

func TestInteractionDeleteHidesItEverywhere(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		actor := newTestActor(t, db, models.RoleMember)
		ann := mustCreateContact(t, db, actor, models.ContactRequest{GivenName: "Ann", FamilyName: uniqueLabel("Gone")})
		ben := mustCreateContact(t, db, actor, models.ContactRequest{GivenName: "Ben", FamilyName: uniqueLabel("Gone")})
		earlier := time.Now().UTC().Add(-72 * time.Hour).Truncate(time.Microsecond)
		mustLogInteraction(t, db, actor, models.InteractionRequest{Kind: models.InteractionCall, Direction: models.DirectionInbound,
			OccurredAt: earlier, ContactIDs: []int64{ann.ID}})
		call := mustLogInteraction(t, db, actor, models.InteractionRequest{Kind: models.InteractionCall, Direction: models.DirectionOutbound,
			ContactIDs: []int64{ann.ID, ben.ID}, Subject: "Oops"})

		if err := db.DeleteInteraction(ctx, actor, call.ID); err != nil {
			t.Fatalf("DeleteInteraction: %v", err)
		}
		for _, c := range []*models.Contact{ann, ben} {
			if n := len(interactionItems(contactTimeline(t, db, actor, c.ID), call.ID)); n != 0 {
				t.Errorf("contact %d: deleted call still on the timeline", c.ID)
			}
		}
		counts, err := db.TimelineCounts(ctx, actor, ann.ID)
		if err != nil || counts[models.TimelineInteraction] != 1 {
			t.Errorf("counts = %v, %v; want one interaction", counts, err)
		}
		if n := len(interactionItems(activityOf(t, db, actor, models.ActivityOptions{Mine: true}), call.ID)); n != 0 {
			t.Errorf("deleted call in the activity feed")
		}
		if _, err := db.Interaction(ctx, actor, call.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("deleted interaction by id: %v", err)
		}
		if err := db.DeleteInteraction(ctx, actor, call.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("deleting twice: %v", err)
		}
		// Last contact falls back to what remains.
		if got := lastContacted(t, db, actor, ann.ID); got == nil || !got.Equal(earlier) {
			t.Errorf("ann last contacted = %v, want %v", got, earlier)
		}
		if got := lastContacted(t, db, actor, ben.ID); got != nil {
			t.Errorf("ben last contacted = %v, want none", got)
		}
	})
}

func TestInteractionValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		actor := newTestActor(t, db, models.RoleMember)
		c := mustCreateContact(t, db, actor, models.ContactRequest{GivenName: "Val", FamilyName: uniqueLabel("Idate")})
		call := func(mod func(r *models.InteractionRequest)) models.InteractionRequest {
			r := models.InteractionRequest{Kind: models.InteractionCall, Direction: models.DirectionOutbound, ContactIDs: []int64{c.ID}}
			mod(&r)
			return r
		}
		for _, tc := range []struct {
			name  string
			req   models.InteractionRequest
			field string // "" when valid
		}{
			{"past date", call(func(r *models.InteractionRequest) { r.OccurredAt = time.Date(2019, 3, 4, 10, 0, 0, 0, time.UTC) }), ""},
			{"a few hours ahead", call(func(r *models.InteractionRequest) { r.OccurredAt = time.Now().Add(5 * time.Hour) }), ""},
			{"two days ahead", call(func(r *models.InteractionRequest) { r.OccurredAt = time.Now().Add(48 * time.Hour) }), "occurred_at"},
			{"before 1900", call(func(r *models.InteractionRequest) { r.OccurredAt = time.Date(1850, 1, 1, 0, 0, 0, 0, time.UTC) }), "occurred_at"},
			{"unknown kind", call(func(r *models.InteractionRequest) { r.Kind = "fax" }), "kind"},
			{"call without direction", call(func(r *models.InteractionRequest) { r.Direction = "" }), "direction"},
			{"meeting without direction", call(func(r *models.InteractionRequest) { r.Kind, r.Direction = models.InteractionMeeting, "" }), ""},
			{"odd direction", call(func(r *models.InteractionRequest) { r.Direction = "sideways" }), "direction"},
			{"channel in words", call(func(r *models.InteractionRequest) { r.Channel = "In person" }), ""},
			{"unknown channel", call(func(r *models.InteractionRequest) { r.Channel = "pigeon" }), "channel"},
			{"negative duration", call(func(r *models.InteractionRequest) { r.DurationSeconds = -1 }), "duration_seconds"},
			{"month-long call", call(func(r *models.InteractionRequest) { r.DurationSeconds = 30 * 24 * 3600 }), "duration_seconds"},
			{"long subject", call(func(r *models.InteractionRequest) { r.Subject = strings.Repeat("s", 301) }), "subject"},
			{"long body", call(func(r *models.InteractionRequest) { r.Body = strings.Repeat("b", 50001) }), "body"},
			{"long outcome", call(func(r *models.InteractionRequest) { r.Outcome = strings.Repeat("o", 201) }), "outcome"},
			{"no contacts", call(func(r *models.InteractionRequest) { r.ContactIDs = nil }), "contact_ids"},
			{"unknown colleague", call(func(r *models.InteractionRequest) { r.UserIDs = []int64{1 << 40} }), "user_ids"},
			{"unknown source", call(func(r *models.InteractionRequest) { r.Source = "carrier pigeon" }), "source"},
			{"import source", call(func(r *models.InteractionRequest) { r.Source = models.TimelineSourceImport }), ""},
			{"someone else's department", call(func(r *models.InteractionRequest) { r.ActorDepartmentID = 1 << 40 }), "actor_department_id"},
			{"restricted elsewhere", call(func(r *models.InteractionRequest) { r.RestrictedDepartmentID = ptrTo(int64(1 << 40)) }), "restricted_department_id"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := db.LogInteraction(ctx, actor, tc.req)
				if tc.field == "" {
					if err != nil {
						t.Fatalf("refused: %v", err)
					}
					return
				}
				if msg := validationFields(t, err)[tc.field]; msg == "" {
					t.Errorf("err = %v, want a problem with %s", err, tc.field)
				}
			})
		}

		// Edits are held to the same rules.
		i := mustLogInteraction(t, db, actor, call(func(*models.InteractionRequest) {}))
		future := time.Now().Add(72 * time.Hour)
		_, err := db.UpdateInteraction(ctx, actor, i.ID, models.InteractionPatch{Version: i.Version, OccurredAt: &future})
		if validationFields(t, err)["occurred_at"] == "" {
			t.Errorf("update into the future: %v", err)
		}
		_, err = db.UpdateInteraction(ctx, actor, i.ID, models.InteractionPatch{Version: i.Version, ContactIDs: &[]int64{}})
		if validationFields(t, err)["contact_ids"] == "" {
			t.Errorf("update to nobody: %v", err)
		}
		_, err = db.UpdateInteraction(ctx, actor, i.ID, models.InteractionPatch{Subject: ptrTo("no version")})
		if validationFields(t, err)["version"] == "" {
			t.Errorf("update without a version: %v", err)
		}
	})
}

func TestInteractionViewerCannotLog(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		member := newTestActor(t, db, models.RoleMember)
		viewer := newTestActor(t, db, models.RoleViewer)
		c := mustCreateContact(t, db, member, models.ContactRequest{GivenName: "Read", FamilyName: uniqueLabel("Only")})
		req := models.InteractionRequest{Kind: models.InteractionCall, Direction: models.DirectionInbound, ContactIDs: []int64{c.ID}}
		if _, err := db.LogInteraction(ctx, viewer, req); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("viewer log: %v, want ErrForbidden", err)
		}
		i := mustLogInteraction(t, db, member, req)
		if _, err := db.Interaction(ctx, viewer, i.ID); err != nil {
			t.Errorf("viewer read: %v", err)
		}
		if _, err := db.UpdateInteraction(ctx, viewer, i.ID, models.InteractionPatch{Version: 1, Subject: ptrTo("x")}); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("viewer update: %v", err)
		}
		if err := db.DeleteInteraction(ctx, viewer, i.ID); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("viewer delete: %v", err)
		}
		err := db.AddTimelineItem(ctx, viewer, models.TimelineEntry{Kind: models.TimelineNote, ContactIDs: []int64{c.ID}, Summary: "x"})
		if !errors.Is(err, models.ErrForbidden) {
			t.Errorf("viewer timeline item: %v", err)
		}
		if items := contactTimeline(t, db, viewer, c.ID); len(interactionItems(items, i.ID)) != 1 {
			t.Errorf("viewer sees %d items", len(items))
		}
	})
}

// One contact the actor may not see among three: nothing is written, and
// the answer does not say the contact exists.
func TestInteractionFailureWritesNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		billing := newTestDepartment(t, db, "Billing")
		sales := newTestDepartment(t, db, "Sales")
		biller := newTestActor(t, db, models.RoleMember, billing)
		seller := newTestActor(t, db, models.RoleMember, sales)
		family := uniqueLabel("Halfway")
		a := mustCreateContact(t, db, seller, models.ContactRequest{GivenName: "A", FamilyName: family})
		b := mustCreateContact(t, db, seller, models.ContactRequest{GivenName: "B", FamilyName: family})
		hidden := mustCreateContact(t, db, biller, models.ContactRequest{GivenName: "H", FamilyName: family, RestrictedDepartmentID: &billing})

		for _, ids := range [][]int64{{a.ID, hidden.ID, b.ID}, {a.ID, b.ID, 1 << 40}} {
			_, err := db.LogInteraction(ctx, seller, models.InteractionRequest{Kind: models.InteractionMeeting, ContactIDs: ids, Subject: "Half"})
			if !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("with %v: %v, want ErrNotFound", ids, err)
			}
		}
		for _, c := range []*models.Contact{a, b} {
			if items := contactTimeline(t, db, seller, c.ID); len(items) != 1 || items[0].Kind != models.TimelineChange {
				t.Errorf("contact %d timeline after a failed log = %+v", c.ID, items)
			}
			if got := lastContacted(t, db, seller, c.ID); got != nil {
				t.Errorf("contact %d last contacted = %v after a failed log", c.ID, got)
			}
		}
		if items := contactTimeline(t, db, biller, hidden.ID); len(items) != 1 {
			t.Errorf("hidden contact's timeline after a failed log = %+v", items)
		}
		var n int64
		if err := db.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM interactions WHERE subject = 'Half'").Scan(&n); err != nil || n != 0 {
			t.Errorf("interactions written: %d, %v", n, err)
		}
	})
}

func TestInteractionRestrictedToDepartment(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		billing := newTestDepartment(t, db, "Billing")
		sales := newTestDepartment(t, db, "Sales")
		biller := newTestActor(t, db, models.RoleMember, billing)
		seller := newTestActor(t, db, models.RoleMember, sales)
		admin := newTestActor(t, db, models.RoleAdmin, sales)
		c := mustCreateContact(t, db, seller, models.ContactRequest{GivenName: "Shared", FamilyName: uniqueLabel("Customer")})
		dispute := mustLogInteraction(t, db, biller, models.InteractionRequest{Kind: models.InteractionCall, Direction: models.DirectionInbound,
			ContactIDs: []int64{c.ID}, Subject: "Invoice dispute", RestrictedDepartmentID: &billing})
		open := mustLogInteraction(t, db, seller, models.InteractionRequest{Kind: models.InteractionCall, Direction: models.DirectionOutbound,
			ContactIDs: []int64{c.ID}, Subject: "Upsell"})

		for _, tc := range []struct {
			name  string
			actor models.Actor
			sees  bool
		}{{"billing", biller, true}, {"sales", seller, false}, {"admin outside billing", admin, false}} {
			t.Run(tc.name, func(t *testing.T) {
				items := contactTimeline(t, db, tc.actor, c.ID)
				if got := len(interactionItems(items, dispute.ID)) == 1; got != tc.sees {
					t.Errorf("restricted call on the timeline: %v, want %v", got, tc.sees)
				}
				if len(interactionItems(items, open.ID)) != 1 {
					t.Errorf("open call missing")
				}
				counts, err := db.TimelineCounts(ctx, tc.actor, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				want := int64(1)
				if tc.sees {
					want = 2
				}
				if counts[models.TimelineInteraction] != want {
					t.Errorf("counts = %v, want %d interactions", counts, want)
				}
				feed := activityOf(t, db, tc.actor, models.ActivityOptions{Since: dispute.OccurredAt.Add(-time.Second)})
				if got := len(interactionItems(feed, dispute.ID)) == 1; got != tc.sees {
					t.Errorf("restricted call in the activity feed: %v, want %v", got, tc.sees)
				}
				_, err = db.Interaction(ctx, tc.actor, dispute.ID)
				if tc.sees != (err == nil) || (!tc.sees && !errors.Is(err, models.ErrNotFound)) {
					t.Errorf("Interaction: %v", err)
				}
			})
		}
	})
}
