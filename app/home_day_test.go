package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

// The home page is the user's day: overdue and today's tasks.
func TestHomeShowsMyDay(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		c, u := srv.SignedIn(t, models.RoleMember, "Sales")
		if r := c.Get("/"); !strings.Contains(r.Body, "Nothing is due today") {
			t.Fatal("a user with nothing due should be told so")
		}
		a := u.Actor("session")
		ct, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Day", FamilyName: apptest.Unique("Planner")})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		later := now.Add(time.Minute)
		if end := time.Date(now.Year(), now.Month(), now.Day(), 23, 59, 0, 0, time.UTC); later.After(end) {
			t.Skip("too close to midnight UTC for a 'today' task")
		}
		overdue := now.Add(-49 * time.Hour)
		for _, tk := range []models.TaskRequest{
			{ContactID: ct.ID, Title: "Call back about the invoice", DueAt: &later},
			{ContactID: ct.ID, Title: "Send the signed contract", DueAt: &overdue},
		} {
			if _, err := db.CreateTask(ctx, a, tk); err != nil {
				t.Fatal(err)
			}
		}
		r := c.Get("/")
		for _, want := range []string{"Overdue (1)", "Send the signed contract", "Today (1)", "Call back about the invoice", ct.Name()} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("home page lacks %q", want)
			}
		}
	})
}
