package browsertest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"rapport/app/apptest"
	"rapport/app/browsertest"
	"rapport/models"
	"rapport/models/dbtest"
)

// A member logs a call with two people from one contact's page, adding the
// second through the picker, and sees it on both timelines without a
// page load; filters and scrolling work.
func TestTimelineJourney(t *testing.T) {
	b := browsertest.Launch(t)
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		u := apptest.User(t, db, models.RoleMember, "Support")
		a := u.Actor("session")
		ana, _ := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Ana", FamilyName: "Souza", CompanyName: "Acme"})
		ben, _ := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Benedikt", FamilyName: "Krause", CompanyName: "Acme"})
		for i := range 40 {
			if _, err := db.LogInteraction(ctx, a, models.InteractionRequest{Kind: "email", Direction: "inbound", ContactIDs: []int64{ana.ID},
				OccurredAt: time.Now().Add(-time.Duration(i+1) * 20 * time.Hour), Subject: fmt.Sprintf("Older email %02d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		for i, vp := range []browsertest.Viewport{browsertest.Desktop, browsertest.Phone} {
			size := []string{"desktop-", "phone-"}[i]
			p := b.Open(t, srv.URL, vp)
			p.SignIn(u.Email, apptest.Password)
			p.Go(fmt.Sprintf("/contacts/%d", ana.ID))
			p.Click("#composer > summary")
			subject := "Quarterly review " + size
			p.Fill("#f-subject", subject)
			p.Fill("#f-body", "Walked through usage; they want SSO.")
			p.Fill("#f-duration_minutes", "25")
			p.Fill("#f-also", "Bened")
			waitFor(t, p, func() bool { return strings.Contains(textOf(p, "#picker-results"), "Benedikt Krause") })
			time.Sleep(300 * time.Millisecond) // htmx initialises swapped-in buttons after its settle delay
			p.Click("#picker-results button")
			waitFor(t, p, func() bool { return strings.Contains(textOf(p, "#also-with"), "Benedikt Krause") })
			p.Screenshot(size + "composer")
			p.Click("#composer form button[type=submit]")
			waitFor(t, p, func() bool { return strings.Contains(textOf(p, "#timeline-items"), subject) })
			if !strings.Contains(p.Text("#timeline-items"), u.Name+" · Support") {
				t.Errorf("item not attributed: %q", p.Text("#timeline-items"))
			}
			p.CheckFits()
			p.Screenshot(size + "timeline")
			// Scrolling to the end loads older items.
			browsertest.Eval[bool](p, `window.scrollTo(0, document.body.scrollHeight); true`)
			waitFor(t, p, func() bool { return strings.Contains(textOf(p, "#timeline-items"), "Older email 3") })
			p.Go(fmt.Sprintf("/contacts/%d", ben.ID))
			if !strings.Contains(p.Text("#timeline-items"), subject) {
				t.Fatalf("the call is not on the second person's timeline")
			}
		}
	})
}

func waitFor(t *testing.T, p *browsertest.Page, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(8 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if cond() {
			return
		}
	}
	p.Screenshot("wait-timeout")
	t.Fatal("timed out waiting for the page")
}

// textOf reads an element's text even while it is empty or hidden, which
// Page.Text (made for what a user can see) waits out.
func textOf(p *browsertest.Page, sel string) string {
	return browsertest.Eval[string](p, `(document.querySelector(`+"`"+sel+"`"+`) || {}).textContent || ""`)
}
