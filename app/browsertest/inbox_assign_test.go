package browsertest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"rapport/app/apptest"
	"rapport/app/browsertest"
	"rapport/models"
	"rapport/models/dbtest"
)

// A member assigns an Inbox item to a colleague who joined after 250
// others by typing part of her name into the card, sees her chosen and the
// card say so; then gives it to a department from the card's list, finds
// her again, and gives it to nobody. On a desktop and on a phone.
func TestAssignInboxItemBySearchJourney(t *testing.T) {
	b := browsertest.Launch(t)
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		u := apptest.User(t, db, models.RoleMember, "Support")
		a := u.Actor("session")
		ct, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Marta", FamilyName: "Oliveira",
			SocialProfiles: []models.SocialProfileInput{{URL: "https://mastodon.social/@marta"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateWatchTerm(ctx, models.System, models.WatchTermInput{Term: "refund"}); err != nil {
			t.Fatal(err)
		}
		apptest.ManyUsers(t, db, 250)
		zelda := apptest.NamedUser(t, db, models.RoleMember, "Sales", "Zelda Latecomer")
		support, err := db.DepartmentBySlugOrName(ctx, "Support")
		if err != nil {
			t.Fatal(err)
		}

		for i, vp := range []browsertest.Viewport{browsertest.Desktop, browsertest.Phone} {
			size := []string{"desktop-", "phone-"}[i]
			fed, err := db.IngestSocialPosts(ctx, models.System, []models.SocialPost{{Network: "mastodon", Handle: ct.SocialProfiles[0].Handle,
				ExternalID: fmt.Sprint("refund-", i), URL: fmt.Sprint("https://mastodon.social/@marta/", i),
				Text: "Still waiting for my refund. Anyone there?", PublishedAt: time.Now().Add(-5 * time.Minute)}},
				models.IngestOptions{Source: models.TimelineSourceFeed})
			if err != nil || len(fed) != 1 || fed[0].Inbox == nil {
				t.Fatalf("ingest the post: %v %+v", err, fed)
			}
			id := fed[0].Inbox.ID
			card := fmt.Sprintf("#inbox-item-%d", id)
			assignee := card + " select[name=assignee]"
			p := b.Open(t, srv.URL, vp)
			// find types part of Zelda's name and waits for her alone: a
			// search for the first letters typed (an "l" is in every
			// email) may answer first when the machine is slow.
			find := func(q string) {
				t.Helper()
				p.Fill(card+" .user-search input[type=search]", q)
				waitForOnlyMatch(t, p, card, zelda.Name)
			}
			assign := func(want string) {
				t.Helper()
				p.Click(card + " .inbox-assign button[type=submit]")
				waitFor(t, p, func() bool { return textOf(p, card+" .inbox-assignee") == want })
			}
			stored := func() *models.InboxItem {
				t.Helper()
				it, err := db.InboxItemByID(ctx, a, id)
				if err != nil {
					t.Fatal(err)
				}
				return it
			}

			p.SignIn(u.Email, apptest.Password)
			p.Go("/inbox")
			if got := p.Value(assignee); got != "" {
				t.Errorf("the new item's Assign to is %q, want Nobody", got)
			}
			find("latecom")
			p.CheckFits()
			p.Screenshot(size + "inbox-assignee-found")
			p.Click(card + " .picker-results button")
			zeldaValue := fmt.Sprint("user:", zelda.ID)
			waitFor(t, p, func() bool { return p.Value(assignee) == zeldaValue })
			if got := textOf(p, card+" .picker-results"); got != "" {
				t.Errorf("the matches stay after the choice: %q", got)
			}
			if got := browsertest.Eval[string](p, `document.querySelector("`+assignee+`").selectedOptions[0].textContent`); got != "Zelda Latecomer" {
				t.Errorf("the select shows %q, want Zelda Latecomer", got)
			}
			p.CheckFits()
			p.Screenshot(size + "inbox-assignee-chosen")
			assign("Zelda Latecomer")
			if it := stored(); it.AssigneeUserID == nil || *it.AssigneeUserID != zelda.ID {
				t.Fatalf("the item after assigning Zelda: %+v", it)
			}
			p.CheckFits()
			p.Screenshot(size + "inbox-assigned")

			// A department from the card's list.
			browsertest.Eval[bool](p, fmt.Sprintf(`(() => { const s = document.querySelector("%s"); s.value = "department:%d";
				s.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`, assignee, support.ID))
			assign("Support")
			if it := stored(); it.AssigneeUserID != nil || it.AssigneeDepartmentID == nil || *it.AssigneeDepartmentID != support.ID {
				t.Fatalf("the item after assigning Support: %+v", it)
			}
			// Found again, she is the choice over the department the card
			// came with; then nobody.
			find("zelda")
			p.Click(card + " .picker-results button")
			waitFor(t, p, func() bool { return p.Value(assignee) == zeldaValue })
			browsertest.Eval[bool](p, `(() => { const s = document.querySelector("`+assignee+`"); s.value = "";
				s.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`)
			assign("Unassigned")
			if it := stored(); it.AssigneeUserID != nil || it.AssigneeDepartmentID != nil {
				t.Fatalf("the item after assigning nobody: %+v", it)
			}
			p.Screenshot(size + "inbox-unassigned")
		}
	})
}
