package app_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

// BenchmarkContactPage times GET /contacts/:id, the whole HTML page, for a
// contact with notes, replies and a few hundred timeline items, on each
// database. make bench measures the same page at scale; this one runs in a
// second, so two versions can be compared back to back on one machine.
func BenchmarkContactPage(b *testing.B) {
	for _, dialect := range dbtest.Dialects {
		b.Run(dialect, func(b *testing.B) {
			c, path := contactPageFixture(b, dbtest.Shared(b, dialect))
			for b.Loop() {
				if r := c.Get(path); r.Status != http.StatusOK {
					b.Fatalf("contact page: %d", r.Status)
				}
			}
		})
	}
}

// contactPageFixture starts Rapport over db with a contact whose page has
// notes, replies and a few hundred timeline items, and returns a signed-in
// client and the page's path.
func contactPageFixture(b *testing.B, db *models.DB) (*apptest.Client, string) {
	ctx := context.Background()
	srv := apptest.Start(b, db)
	c, u := srv.SignedIn(b, models.RoleMember, "Sales")
	a := u.Actor("bench")
	ct, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Bench", FamilyName: apptest.Unique("Page"),
		Emails: []models.EmailInput{{Address: apptest.Unique("bench") + "@example.com"}}, Tags: []string{"vip"}})
	if err != nil {
		b.Fatal(err)
	}
	for i := range 200 {
		if _, err := db.LogInteraction(ctx, a, models.InteractionRequest{Kind: models.InteractionCall, Direction: models.DirectionOutbound,
			ContactIDs: []int64{ct.ID}, OccurredAt: time.Now().Add(-time.Duration(i) * time.Hour), Subject: fmt.Sprintf("Call %d", i)}); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 10 {
		n, err := db.CreateNote(ctx, a, models.NoteRequest{ContactID: ct.ID, Body: fmt.Sprintf("Note %d", i)})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.ReplyToNote(ctx, a, n.ID, "A reply"); err != nil {
			b.Fatal(err)
		}
	}
	return c, fmt.Sprintf("/contacts/%d", ct.ID)
}
