package browsertest_test

import (
	"strings"
	"testing"
	"time"

	"rapport/app/apptest"
	"rapport/app/browsertest"
	"rapport/models"
	"rapport/models/dbtest"
)

// A member adds a contact, finds it again by typing part of the name with
// no accent, and edits the profile card in place.
func TestContactJourney(t *testing.T) {
	b := browsertest.Launch(t)
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		srv := apptest.Start(t, db)
		u := apptest.User(t, db, models.RoleMember, "Sales")
		for i, vp := range []browsertest.Viewport{browsertest.Desktop, browsertest.Phone} {
			size := []string{"desktop-", "phone-"}[i]
			p := b.Open(t, srv.URL, vp)
			p.SignIn(u.Email, apptest.Password)
			family := apptest.Unique("Álvarez")
			p.Go("/contacts/new")
			p.Fill("#f-given_name", "José")
			p.Fill("#f-family_name", family)
			p.Fill("#f-job_title", "Head of Procurement")
			p.Fill("#f-company", "Acme Ltd")
			p.Fill("[id='f-emails[0]']", strings.ToLower(family)+"@acme.example")
			p.Fill("[id='f-phones[0]']", "+1 212 555 0100")
			p.Fill("[id='f-social_profiles[0]']", "https://github.com/jalvarez")
			p.Fill("#f-tags", "vip, renewal")
			p.Screenshot(size + "new-contact")
			p.ClickAndLoad("form[action='/contacts'] button[type=submit]")
			if !strings.HasPrefix(p.Path(), "/contacts/") || !strings.Contains(p.Text("#profile-name"), family) {
				t.Fatalf("after saving: at %s, profile %q", p.Path(), p.Text("#profile-name"))
			}
			p.CheckFits()
			p.Screenshot(size + "contact-page")

			// Search as you type: no accent, lower case, results appear without submitting.
			p.Go("/contacts")
			p.Fill("#f-q", strings.ToLower(strings.Replace(family, "Á", "a", 1)))
			deadline := time.Now().Add(5 * time.Second)
			for !strings.Contains(textOf(p, "#contact-results"), family) && time.Now().Before(deadline) {
				time.Sleep(100 * time.Millisecond)
			}
			if !strings.Contains(p.Text("#contact-results"), family) {
				t.Fatalf("typing did not find the contact: %q", p.Text("#contact-results"))
			}
			p.CheckFits()
			p.Screenshot(size + "search")

			// Inline edit: the card becomes a form and back, without a page load.
			p.ClickAndLoad("#contact-results a[href^='/contacts/']")
			path := p.Path()
			p.Click("#profile a[href$='/edit']")
			for i := 0; i < 50 && !p.Visible("#profile form #f-job_title"); i++ {
				time.Sleep(100 * time.Millisecond)
			}
			if p.Path() != path {
				t.Fatalf("inline edit navigated away to %s", p.Path())
			}
			p.Fill("#f-job_title", "Chief Procurement Officer")
			p.Screenshot(size + "inline-edit")
			p.Click("#profile form[hx-post] button[type=submit]")
			// Read by script while htmx swaps the card in: the node is replaced.
			waitFor(t, p, func() bool {
				return strings.Contains(textOf(p, "#profile"), "Chief Procurement Officer") && !p.Visible("#profile form")
			})
			if !strings.Contains(p.Text("#profile"), "Chief Procurement Officer") || p.Visible("#profile form") {
				t.Fatalf("inline save did not show the card: %q", p.Text("#profile"))
			}
			p.Screenshot(size + "after-inline-edit")
		}
	})
}
