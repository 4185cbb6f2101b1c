package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

// Reading pages leaves the session as it is: no write of the sessions row
// and no new cookie per page view. A change (here a flash message) is still
// saved, and read once.
func TestSessionWrittenOnlyWhenChanged(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		c, _ := srv.SignedIn(t, models.RoleMember, "Sales")
		for _, path := range []string{"/", "/contacts", "/tasks"} {
			r := c.Get(path)
			if r.Status != http.StatusOK {
				t.Fatalf("GET %s: %d", path, r.Status)
			}
			if ck := findCookie(r, "rapport_session"); ck != nil {
				t.Errorf("GET %s wrote the session: %v", path, ck)
			}
		}
		r := c.PostForm("/settings/profile", url.Values{"name": {"Renamed Person"}, "time_zone": {"UTC"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("save profile: %d %.300s", r.Status, r.Body)
		}
		if page := c.Get("/settings"); !strings.Contains(page.Body, "Profile saved.") {
			t.Error("the flash set before the redirect is not shown")
		}
		if page := c.Get("/settings"); strings.Contains(page.Body, "Profile saved.") {
			t.Error("the flash is shown twice: taking it did not save the session")
		}
	})
}
