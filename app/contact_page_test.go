package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

// TestContactPageRoundTrips holds the contact page to a fixed number of
// statements whatever the contact carries: a page that issues one query
// per email, tag, note or timeline item gets slower with every fact kept.
func TestContactPageRoundTrips(t *testing.T) {
	// A fresh database: other tests' contacts sharing this one's phone or
	// company would add the duplicate banner's queries.
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		srv := apptest.Start(t, db)
		c, _ := srv.SignedIn(t, models.RoleMember, "Sales")
		loc := createContactUI(t, c, contactForm("Round", apptest.Unique("Trips"), apptest.Unique("rt")+"@example.com"))
		addHistory := func(n int) {
			for i := range n {
				form := url.Values{"kind": {"call"}, "direction": {"outbound"}, "channel": {"phone"},
					"occurred_at": {time.Now().Add(-time.Duration(i+1) * time.Hour).Format("2006-01-02T15:04")}, "subject": {"Call"}}
				if r := c.PostForm(loc+"/interactions", form); r.Status != http.StatusSeeOther {
					t.Fatalf("log call: %d", r.Status)
				}
				if r := c.PostForm(loc+"/notes", url.Values{"body": {"A note"}}); r.Status != http.StatusSeeOther {
					t.Fatalf("note: %d %.300s", r.Status, r.Body)
				}
			}
		}
		statements := func() int64 {
			c.Get(loc) // takes the flash the writes left
			before := db.Statements()
			page := c.Get(loc)
			if page.Status != http.StatusOK || !strings.Contains(page.Body, "Round") {
				t.Fatalf("contact page: %d", page.Status)
			}
			return db.Statements() - before
		}
		addHistory(1)
		few := statements()
		addHistory(4)
		many := statements()
		if many != few {
			t.Errorf("the contact page took %d statements with 1 note and call, %d with 5: it queries per item", few, many)
		}
		// 58 before the round trips were cut; this bound keeps them cut. It
		// includes the session, the user and the navigation's three counts.
		if few > 31 {
			t.Errorf("the contact page took %d statements, want at most 31", few)
		}
	})
}
