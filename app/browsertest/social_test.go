package browsertest_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"rapport/app/apptest"
	"rapport/app/browsertest"
	"rapport/models"
	"rapport/models/dbtest"
)

// An admin adds a watch term; an integration pushes a post that mentions
// it; the Inbox shows it; the admin answers it, and it moves to Replied
// with its response time. The listening dashboard then draws its charts.
func TestInboxJourney(t *testing.T) {
	b := browsertest.Launch(t)
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		u := apptest.User(t, db, models.RoleAdmin, "Support")
		a := u.Actor("session")
		ct, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Marta", FamilyName: "Oliveira", CompanyName: "Lisbon Bikes",
			SocialProfiles: []models.SocialProfileInput{{URL: "https://mastodon.social/@marta"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SaveKeyFacts(ctx, a, ct.ID, "Fleet of 40 e-bikes; renewal in March.", 0); err != nil {
			t.Fatal(err)
		}
		_, secret, err := db.CreateAPIToken(ctx, u.ID, "integration", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		api := srv.NewClient(t)
		api.Bearer = secret

		p := b.Open(t, srv.URL, browsertest.Desktop)
		p.SignIn(u.Email, apptest.Password)
		p.Go("/listening/terms")
		p.Fill("#f-term", "refund")
		p.Fill("#f-exclude", "refund policy")
		p.ClickAndLoad("form[action='/listening/terms'] button[type=submit]")
		if !strings.Contains(p.Text("#terms"), "refund") {
			t.Fatalf("term not listed: %q", p.Text("main"))
		}
		p.Screenshot("watch-terms")

		r := api.JSON(http.MethodPost, "/api/v1/social/items", map[string]any{
			"network": "mastodon", "handle": ct.SocialProfiles[0].Handle, "external_id": "109876",
			"url": "https://mastodon.social/@marta/109876", "text": "Two weeks and still no refund for the broken battery. Anyone at Rapport Bikes listening?",
			"published_at": time.Now().Add(-14 * time.Minute).UTC().Format(time.RFC3339)})
		if r.Status != http.StatusCreated {
			t.Fatalf("push: %d %s", r.Status, r.Body)
		}
		var pushed struct {
			Inbox struct{ ID int64 } `json:"inbox"`
		}
		r.Decode(t, &pushed)
		card := fmt.Sprintf("#inbox-item-%d", pushed.Inbox.ID)

		p.Go("/inbox")
		if got := p.Text(card); !strings.Contains(got, "Marta Oliveira") || !strings.Contains(got, "refund") || !strings.Contains(got, "waiting 14 min") ||
			!strings.Contains(got, "renewal in March") {
			t.Fatalf("Inbox card: %q", got)
		}
		if !p.Visible(card + " .wait-warn") {
			t.Error("14 minutes of a 20-minute target is not amber")
		}
		p.CheckFits()
		p.Screenshot("inbox")

		p.Click(card + " .inbox-reply-form summary")
		p.Fill(card+" textarea[name=text]", "So sorry, Marta! The refund went out today; details in your DMs.")
		p.Fill(card+" input[name=url]", "https://mastodon.social/@rapport/110001")
		p.Screenshot("reply-form")
		p.Click(card + " .inbox-reply-form button[type=submit]")
		waitFor(t, p, func() bool { return strings.Contains(textOf(p, card), "answered in") })
		if got := p.Text(card); !strings.Contains(got, "The refund went out today") || !strings.Contains(got, "response time 14 min") {
			t.Errorf("card after reply: %q", got)
		}
		p.Screenshot("replied-card")

		p.Go("/inbox?tab=replied")
		if !strings.Contains(p.Text(card), "response time") {
			t.Fatalf("not under Replied: %q", p.Text("main"))
		}
		p.Screenshot("replied-tab")

		// A few weeks of posts and replies for the dashboard.
		seedListening(t, db, a, ct)
		p.Go("/listening?days=30")
		waitFor(t, p, func() bool {
			return browsertest.Eval[int](p, `document.querySelectorAll("#chart-volume canvas, #chart-terms canvas, #chart-response canvas").length`) == 3
		})
		p.CheckFits()
		// The response chart's legend tells the median from the 90th
		// percentile by name, by colour and by line pattern.
		type key struct{ Label, Style, Colour string }
		keys := browsertest.Eval[[]key](p, `[...document.querySelectorAll("#chart-response .u-series[class*=series-]")].map(r => {
			const m = getComputedStyle(r.querySelector(".u-marker"));
			return {Label: r.querySelector(".u-label").textContent, Style: m.borderTopStyle, Colour: m.borderTopColor};
		})`)
		if len(keys) < 2 || keys[0].Label != "Median" || keys[1].Label != "90th percentile" {
			t.Fatalf("response chart legend: %+v", keys)
		}
		if keys[0].Colour == keys[1].Colour || keys[0].Style == keys[1].Style {
			t.Errorf("median and 90th percentile drawn alike: %+v", keys)
		}
		if got := p.Text("#chart-response figcaption"); got != "Support" {
			t.Errorf("response chart caption: %q", got)
		}
		p.Screenshot("listening")

		p.Go("/")
		if got := p.Text("#home-inbox-h"); got != "Waiting for your answer" {
			t.Errorf("home page Inbox section: %q", got)
		}
		p.Screenshot("home")

		phone := b.Open(t, srv.URL, browsertest.Phone)
		phone.SignIn(u.Email, apptest.Password)
		phone.Go("/inbox")
		phone.CheckFits()
		phone.Screenshot("phone-inbox")
		phone.Go("/listening?days=7")
		waitFor(t, phone, func() bool {
			return browsertest.Eval[int](phone, `document.querySelectorAll("#chart-volume canvas").length`) == 1
		})
		phone.CheckFits()
		phone.Screenshot("phone-listening")
	})
}

// seedListening pushes posts over the last weeks, some answered and a few
// assigned to the actor, so the dashboard and home page have something to
// show.
func seedListening(t *testing.T, db *models.DB, a models.Actor, ct *models.Contact) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.CreateWatchTerm(ctx, a, models.WatchTermInput{Term: "battery"}); err != nil {
		t.Fatal(err)
	}
	texts := []string{"refund please", "my battery died", "battery and refund", "love the new bike", "battery again"}
	for i := range 40 {
		published := time.Now().Add(-time.Duration(i)*14*time.Hour - time.Hour)
		res, err := db.IngestSocialPosts(ctx, a, []models.SocialPost{{Network: "mastodon", Handle: ct.SocialProfiles[0].Handle,
			ExternalID: fmt.Sprintf("seed-%d", i), Text: texts[i%len(texts)], PublishedAt: published}},
			models.IngestOptions{Source: models.TimelineSourceAPI})
		if err != nil {
			t.Fatal(err)
		}
		if in := res[0].Inbox; in != nil && i%3 == 0 && i < 12 {
			if _, err := db.AssignInboxItem(ctx, a, in.ID, models.InboxAssign{Version: in.Version, UserID: &a.UserID}); err != nil {
				t.Fatal(err)
			}
		} else if in != nil && i%3 != 0 {
			wait := time.Duration(5+i*3) * time.Minute
			if _, err := db.ReplyInboxItem(ctx, a, in.ID, models.InboxReply{Version: in.Version, Text: "Thanks, on it",
				RepliedAt: published.Add(wait)}); err != nil {
				t.Fatal(err)
			}
		}
	}
}
