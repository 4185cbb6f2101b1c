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

// A member corrects a logged call in place on the timeline, adds the
// person they forgot with the contact picker and later takes them off
// again, then deletes the call after confirming; none of it leaves the
// page.
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
		bruno, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Bruno", FamilyName: "Lima", CompanyName: "Acme"})
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
			// With script, the picker searches as one types: the Find button
			// of the form without script is gone, and Enter saves. Script
			// removes it when htmx has settled the new form, a moment after
			// the form shows.
			findGone := func() bool {
				return !browsertest.Eval[bool](p, `!!document.querySelector("form.interaction-edit [data-without-script]")`)
			}
			for deadline := time.Now().Add(3 * time.Second); !findGone() && time.Now().Before(deadline); {
				time.Sleep(50 * time.Millisecond)
			}
			if !findGone() {
				t.Error("the edit form keeps its Find button when script runs")
			}
			fixed := "Pricing question " + size
			p.Fill(subject, fixed)
			p.Fill("form.interaction-edit input[name=duration_minutes]", "15")
			// Desktop: Bruno was on the call too. Phone: he was not after all.
			chips := "form.interaction-edit .chips"
			withBruno := i == 0
			if withBruno {
				p.Fill("form.interaction-edit input[type=search]", "Bruno")
				waitFor(t, p, func() bool { return p.Visible("form.interaction-edit .picker-results button") })
				p.Click("form.interaction-edit .picker-results button")
				waitFor(t, p, func() bool { return strings.Contains(textOf(p, chips), "Bruno") })
				if strings.Contains(textOf(p, "#also-with"), "Bruno") {
					t.Error("the picked contact joined the composer's list, not the edit form's")
				}
				// The pick clears the search and its results, ready for the
				// next name.
				if got := textOf(p, "form.interaction-edit .picker-results"); got != "" {
					t.Errorf("the picker's results stay after the pick: %q", got)
				}
				if got := p.Value("form.interaction-edit input[type=search]"); got != "" {
					t.Errorf("the search box keeps %q after the pick", got)
				}
				if focus := p.Focused(); !strings.HasPrefix(focus, "input#e") {
					t.Errorf("after the pick the focus is on %s, want the search box", focus)
				}
			} else {
				if got := textOf(p, chips); !strings.Contains(got, "Ana") || !strings.Contains(got, "Bruno") {
					t.Fatalf("the edit form lists %q, want Ana and Bruno", got)
				}
				// Unticked, Bruno is off the list when it is saved.
				p.Click(chips + " .chip:last-child input[type=checkbox]")
				waitFor(t, p, func() bool {
					return !browsertest.Eval[bool](p, `document.querySelector("form.interaction-edit .chips .chip:last-child input").checked`)
				})
			}
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
			saved, err := db.Interaction(ctx, a, call.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(saved.Contacts); (withBruno && got != 2) || (!withBruno && got != 1) {
				t.Fatalf("after the %sedit the call is with %+v", size, saved.Contacts)
			}
			// Bruno's own timeline shows the change.
			p.Go(fmt.Sprintf("/contacts/%d", bruno.ID))
			if on := strings.Contains(textOf(p, "#timeline-items"), fixed); on != withBruno {
				t.Errorf("after the %sedit Bruno's timeline shows the call: %v", size, on)
			}
			p.Screenshot(size + "bruno-timeline")
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
