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

// A member corrects a logged call in place on the timeline, then deletes
// it after confirming; neither leaves the page.
func TestEditInteractionJourney(t *testing.T) {
	b := browsertest.Launch(t)
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		u := apptest.User(t, db, models.RoleMember, "Sales")
		a := u.Actor("session")
		ct, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Ana", FamilyName: "Souza", CompanyName: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		call, err := db.LogInteraction(ctx, a, models.InteractionRequest{Kind: "call", Direction: "outbound", Channel: "phone",
			OccurredAt: time.Now().Add(-time.Hour), ContactIDs: []int64{ct.ID}, Subject: "Pricing qeustion", Body: "Wants a quote."})
		if err != nil {
			t.Fatal(err)
		}
		for i, vp := range []browsertest.Viewport{browsertest.Desktop, browsertest.Phone} {
			size := []string{"desktop-", "phone-"}[i]
			p := b.Open(t, srv.URL, vp)
			p.SignIn(u.Email, apptest.Password)
			p.Go(fmt.Sprintf("/contacts/%d", ct.ID))
			item := "#timeline-items li.item-interaction"
			p.Click(item + " .item-actions a")
			waitFor(t, p, func() bool { return p.Visible("form.interaction-edit") })
			subject := "form.interaction-edit input[name=subject]"
			if got := p.Value(subject); !strings.HasPrefix(got, "Pricing") {
				t.Fatalf("the edit form is not filled in: subject %q", got)
			}
			fixed := "Pricing question " + size
			p.Fill(subject, fixed)
			p.Fill("form.interaction-edit input[name=duration_minutes]", "15")
			p.CheckFits()
			p.Screenshot(size + "edit-form")
			p.Click("form.interaction-edit button[type=submit]")
			waitFor(t, p, func() bool {
				return strings.Contains(textOf(p, "#timeline-items"), fixed) && !p.Visible("form.interaction-edit")
			})
			if got := p.Text(item); !strings.Contains(got, "15 min") {
				t.Errorf("the edited item = %q, want the new length", got)
			}
			p.Screenshot(size + "edited")
		}
		// Delete, after the browser's confirmation.
		p := b.Open(t, srv.URL, browsertest.Desktop)
		p.SignIn(u.Email, apptest.Password)
		p.Go(fmt.Sprintf("/contacts/%d", ct.ID))
		browsertest.Eval[bool](p, `window.confirm = () => true; true`)
		p.Click("#timeline-items li.item-interaction .item-actions button")
		waitFor(t, p, func() bool { return !strings.Contains(textOf(p, "#timeline-items"), "Pricing question") })
		if _, err := db.Interaction(ctx, a, call.ID); err == nil {
			t.Error("the call still reads after it was deleted")
		}
		p.Screenshot("deleted")
	})
}
