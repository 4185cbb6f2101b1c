package models_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"rapport/models"
	"rapport/models/dbtest"
)

func TestCalendarFeed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		a := newTestActor(t, db, models.RoleMember)
		c := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Cal"})
		due := time.Now().Add(24 * time.Hour)
		task := mustCreateTask(t, db, a, models.TaskRequest{ContactID: c.ID, Title: "Lunch", DueAt: &due})
		mustCreateTask(t, db, a, models.TaskRequest{ContactID: c.ID, Title: "Someday"})
		tok, secret, err := db.CreateCalendarToken(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if tok.TokenHash == secret || !strings.HasPrefix(secret, tok.Prefix) {
			t.Fatalf("token = %+v", tok)
		}
		ts, u, err := db.CalendarTasks(ctx, secret)
		if err != nil || u.ID != a.UserID || len(ts) != 1 || ts[0].ID != task.ID || ts[0].ContactName != "Cal" {
			t.Fatalf("CalendarTasks = %+v, %+v, %v", ts, u, err)
		}
		// A new link replaces the old one; revoking ends both.
		_, secret2, err := db.CreateCalendarToken(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.CalendarTasks(ctx, secret); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("replaced secret: %v", err)
		}
		if err := db.RevokeCalendarToken(ctx, a); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.CalendarTasks(ctx, secret2); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("revoked secret: %v", err)
		}
		if _, _, err := db.CalendarTasks(ctx, "rcal_nope"); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("unknown secret: %v", err)
		}
	})
}

func TestRenderICS(t *testing.T) {
	due := time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)
	long := strings.Repeat("é", 60) // 120 octets: must fold, never inside a character
	out := models.RenderICS([]models.Task{
		{ID: 7, Title: "Call; then, write\\", ContactName: "Ann", Notes: "line one\nline two", DueAt: &due,
			Priority: models.PriorityHigh, Version: 3, UpdatedAt: due},
		{ID: 8, Title: long, DueAt: &due, Priority: models.PriorityLow, UpdatedAt: due},
		{ID: 9, Title: "someday"},
	}, time.UTC)
	for _, want := range []string{
		"BEGIN:VCALENDAR\r\n", "UID:task-7@rapport\r\n", "DTSTART:20300506T070809Z\r\n",
		`SUMMARY:Call\; then\, write\\ (Ann)` + "\r\n", `DESCRIPTION:line one\nline two` + "\r\n",
		"PRIORITY:1\r\n", "SEQUENCE:3\r\n", "END:VCALENDAR\r\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "someday") {
		t.Error("a task without a due date was exported")
	}
	if !strings.HasSuffix(out, "\r\n") || strings.Contains(strings.ReplaceAll(out, "\r\n", ""), "\n") {
		t.Error("lines must end with CRLF only")
	}
	unfolded := strings.ReplaceAll(out, "\r\n ", "")
	if !strings.Contains(unfolded, "SUMMARY:"+long+"\r\n") {
		t.Errorf("folded summary does not unfold to the title:\n%s", out)
	}
	for _, line := range strings.Split(out, "\r\n") {
		if len(line) > 75 {
			t.Errorf("line of %d octets: %q", len(line), line)
		}
		if !utf8.ValidString(line) {
			t.Errorf("line splits a character: %q", line)
		}
	}
}
