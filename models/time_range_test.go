package models_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"rapport/models"
	"rapport/models/dbtest"
)

// at reads an RFC 3339 time for a test table.
func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestStorableTime holds the range at its edges, which are in UTC: a time
// within range where it was written may fall outside it once in UTC.
func TestStorableTime(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"1900-01-01T00:00:00Z", true},
		{"2024-03-31T14:05:00+02:00", true},
		{"9999-12-31T23:59:59.999999999Z", true},
		{"9999-12-31T12:00:00-11:00", true},
		{"1899-12-31T23:59:59.999999999Z", false},
		{"1900-01-01T05:00:00+14:00", false},     // 1899-12-31 in UTC
		{"0000-01-01T00:00:00+14:00", false},     // year -1 in UTC
		{"9999-12-31T23:59:59-23:59", false},     // year 10000 in UTC
		{"9999-12-31T23:59:00-11:00", false},     // Pago Pago's last minute of 9999
		{"0001-01-01T00:00:00Z", false},          // the zero time
		{"0024-03-31T00:00:00Z", false},          // a slip for 2024
		{"2024-02-29T00:00:00.123456789Z", true}, // fractions do not matter
	} {
		tm := at(t, tc.in)
		if got := models.StorableTime(tm); got != tc.want {
			t.Errorf("StorableTime(%s) = %v, want %v", tc.in, got, tc.want)
		}
		msg := models.TimeProblem(tm)
		if (msg == "") != tc.want {
			t.Errorf("TimeProblem(%s) = %q", tc.in, msg)
		}
		// Whatever may be stored can be written as JSON, as the API does.
		if _, err := json.Marshal(tm.UTC()); tc.want && err != nil {
			t.Errorf("storable %s cannot be written as JSON: %v", tc.in, err)
		}
	}
	if msg := models.TimeProblem(time.Time{}); !strings.Contains(msg, "1900-01-01") || !strings.Contains(msg, "9999-12-31") {
		t.Errorf("the message must say what is allowed: %q", msg)
	}
}

// TestTimesOutsideTheRangeAreRefused sends a time past either end through
// every model that stores one from a request: each is a validation
// problem naming the field, nothing is written, and the lists that read
// those rows still work.
func TestTimesOutsideTheRangeAreRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		dept := newTestDepartment(t, db, "Range")
		a := newTestActor(t, db, models.RoleMember, dept)
		tag := uniqueLabel("range")
		good := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
		for _, s := range []string{"0000-01-01T00:00:00+14:00", "9999-12-31T23:59:59-23:59", "1899-12-31T23:00:00Z"} {
			bad := at(t, s)
			t.Run(s, func(t *testing.T) {
				// Contacts: neither created nor changed.
				_, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Ranged", FamilyName: tag, LastContactedAt: &bad})
				if f := validationFields(t, err); f["last_contacted_at"] == "" {
					t.Errorf("create contact: %v", f)
				}
				page, err := db.Contacts(ctx, a, models.ContactListOptions{Query: tag})
				if err != nil || len(page.Contacts) != 0 {
					t.Fatalf("a refused contact was stored: %v %v", page, err)
				}
				c := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Kept", FamilyName: uniqueLabel("range"), LastContactedAt: &good})
				_, err = db.UpdateContact(ctx, a, c.ID, models.ContactPatch{Version: c.Version, LastContactedAt: &bad})
				if f := validationFields(t, err); f["last_contacted_at"] == "" {
					t.Errorf("update contact: %v", f)
				}
				if got, err := db.Contact(ctx, a, c.ID); err != nil || got.Version != c.Version || !got.LastContactedAt.Equal(good) {
					t.Fatalf("the refused patch changed the contact: %+v %v", got, err)
				}

				// Tasks: neither created nor moved.
				before := myTasks(t, db, a, models.TaskListOptions{})
				_, err = db.CreateTask(ctx, a, models.TaskRequest{ContactID: c.ID, Title: "Far off", DueAt: &bad})
				if f := validationFields(t, err); f["due_at"] == "" {
					t.Errorf("create task: %v", f)
				}
				task := mustCreateTask(t, db, a, models.TaskRequest{ContactID: c.ID, Title: "Soon", DueAt: &good})
				_, err = db.UpdateTask(ctx, a, task.ID, models.TaskPatch{Version: task.Version, DueAt: &bad})
				if f := validationFields(t, err); f["due_at"] == "" {
					t.Errorf("update task: %v", f)
				}
				if got, err := db.Task(ctx, a, task.ID); err != nil || got.Version != task.Version || !got.DueAt.Equal(good) {
					t.Fatalf("the refused patch changed the task: %+v %v", got, err)
				}
				if after := myTasks(t, db, a, models.TaskListOptions{}); len(after) != len(before)+1 {
					t.Errorf("tasks %v, then %v: want one more", before, after)
				}

				// Interactions: not logged.
				_, err = db.LogInteraction(ctx, a, models.InteractionRequest{Kind: models.InteractionCall,
					Direction: models.DirectionOutbound, OccurredAt: bad, ContactIDs: []int64{c.ID}})
				if f := validationFields(t, err); f["occurred_at"] == "" {
					t.Errorf("log interaction: %v", f)
				}

				// Social posts: not stored, so the same post with a good
				// date is new.
				post := models.SocialPost{Network: "mastodon", ExternalID: uniqueLabel("post"), Handle: "@someone@example.social",
					Text: "hello", PublishedAt: bad}
				_, err = db.IngestSocialPosts(ctx, a, []models.SocialPost{post}, models.IngestOptions{})
				if f := validationFields(t, err); f["published_at"] == "" {
					t.Errorf("ingest post: %v", f)
				}
				post.PublishedAt = good
				if res := mustIngest(t, db, a, models.IngestOptions{}, post); !res[0].Created {
					t.Errorf("the refused post was stored: %+v", res[0])
				}
			})
		}
	})
}

// TestRecurringTaskAtTheEndOfTime completes repeating tasks at the end of
// the range: an occurrence that still falls in 9999 is made; one that
// would fall in 10000 is not, and the series ends there, the completion
// itself going through.
func TestRecurringTaskAtTheEndOfTime(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		dept := newTestDepartment(t, db, "Eternity")
		a := newTestActor(t, db, models.RoleMember, dept)
		c := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Forever"})

		daily := time.Date(9999, 12, 30, 12, 0, 0, 0, time.UTC)
		task := mustCreateTask(t, db, a, models.TaskRequest{ContactID: c.ID, Title: "Daily", DueAt: &daily,
			Recurrence: &models.Recurrence{Interval: models.Interval{Every: 1, Unit: models.IntervalDay}}})
		if _, err := db.UpdateTask(ctx, a, task.ID, models.TaskPatch{Version: task.Version, Status: ptrTo(models.TaskDone)}); err != nil {
			t.Fatal(err)
		}
		open := myTasks(t, db, a, models.TaskListOptions{})
		if len(open) != 1 {
			t.Fatalf("open after the daily task = %v", open)
		}
		last, err := db.Task(ctx, a, open[0])
		if err != nil {
			t.Fatal(err)
		}
		if want := daily.AddDate(0, 0, 1); !last.DueAt.Equal(want) {
			t.Fatalf("the last day's occurrence is due %v, want %v", last.DueAt, want)
		}
		// Completing 9999-12-31 would make 10000-01-01: the series ends.
		done, err := db.UpdateTask(ctx, a, last.ID, models.TaskPatch{Version: last.Version, Status: ptrTo(models.TaskDone)})
		if err != nil || done.Status != models.TaskDone {
			t.Fatalf("completing the last occurrence: %+v %v", done, err)
		}

		weekly := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
		wt := mustCreateTask(t, db, a, models.TaskRequest{ContactID: c.ID, Title: "Weekly", DueAt: &weekly,
			Recurrence: &models.Recurrence{Interval: models.Interval{Every: 1, Unit: models.IntervalWeek}}})
		if _, err := db.UpdateTask(ctx, a, wt.ID, models.TaskPatch{Version: wt.Version, Status: ptrTo(models.TaskDone)}); err != nil {
			t.Fatalf("completing a weekly task due 9999-12-31: %v", err)
		}
		if open := myTasks(t, db, a, models.TaskListOptions{}); len(open) != 0 {
			t.Fatalf("the series should have ended; open = %v", open)
		}
		done2 := myTasks(t, db, a, models.TaskListOptions{Section: models.SectionDone})
		if len(done2) != 3 {
			t.Fatalf("done = %v, want the three completed", done2)
		}
	})
}
