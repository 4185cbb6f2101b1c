package app_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

func htmxGet(t *testing.T, c *apptest.Client, base, path string) *apptest.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+path, nil)
	req.Header.Set("HX-Request", "true")
	return c.Do(req)
}

func TestLogACallWithTwoContactsInTheUI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		c, u := srv.SignedIn(t, models.RoleMember, "Support")
		ana := createContactUI(t, c, url.Values{"given_name": {"Ana"}, "family_name": {apptest.Unique("Call")}})
		ben := createContactUI(t, c, url.Values{"given_name": {"Ben"}, "family_name": {apptest.Unique("Call")}})
		benID := strings.TrimPrefix(ben, "/contacts/")

		page := c.Get(ana)
		if !strings.Contains(page.Body, "Log a call, meeting or message") {
			t.Fatal("no composer on the contact page")
		}
		// The picker finds Ben for "also with".
		pick := htmxGet(t, c, srv.URL, "/contacts/picker?q=Ben&exclude="+strings.TrimPrefix(ana, "/contacts/"))
		if !strings.Contains(pick.Body, "/contacts/picker/chip?id="+benID) {
			t.Fatalf("picker: %s", pick.Body)
		}
		form := url.Values{"kind": {"call"}, "direction": {"outbound"}, "channel": {"phone"},
			"occurred_at": {time.Now().Add(-2 * time.Hour).Format("2006-01-02T15:04")}, "duration_minutes": {"12"},
			"subject": {"Renewal pricing"}, "body": {"Asked for a 3-year quote.\nWill decide Friday."}, "outcome": {"Send quote"},
			"contact_ids": {benID}}
		r := c.PostForm(ana+"/interactions", form)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("log call: %d %.500s", r.Status, r.Body)
		}
		for _, who := range []string{ana, ben} {
			p := c.Get(who)
			for _, want := range []string{"Renewal pricing", "Asked for a 3-year quote. Will decide Friday.", "Send quote",
				html.EscapeString(u.Name) + " · Support", "12 min", "outbound call"} {
				if !strings.Contains(p.Body, want) {
					t.Errorf("%s timeline lacks %q", who, want)
				}
			}
		}
		// Filters: only profile changes hides the call; only interactions shows it.
		onlyChanges := htmxGet(t, c, srv.URL, ana+"/timeline?kind=change")
		if strings.Contains(onlyChanges.Body, "Renewal pricing") || !strings.Contains(onlyChanges.Body, "Contact created") {
			t.Error("kind filter does not filter")
		}
		tomorrow := time.Now().AddDate(0, 0, 2).Format(time.DateOnly)
		if r := htmxGet(t, c, srv.URL, ana+"/timeline?from="+tomorrow); strings.Contains(r.Body, "Renewal pricing") {
			t.Error("date filter does not filter")
		}
		// Without JavaScript the filter opens the page with the filter; a
		// query no form writes is not copied into the Location.
		if r := c.Get(ana + "/timeline?kind=change"); r.Status != http.StatusSeeOther || r.Location() != ana+"?kind=change" {
			t.Errorf("filter without JavaScript: %d %q", r.Status, r.Location())
		}
		if r := c.Get(ana + "/timeline?kind=" + strings.Repeat("x", 100_000)); r.Status != http.StatusSeeOther || r.Location() != ana {
			t.Errorf("a 100,000-character filter: %d, Location of %d characters", r.Status, len(r.Location()))
		}
		// Bad input comes back to the composer with a message.
		bad := url.Values{"kind": {"call"}, "direction": {"sideways"}, "occurred_at": {time.Now().AddDate(0, 0, 3).Format("2006-01-02T15:04")}}
		bad.Set("_csrf", c.CSRF("/"))
		req, _ := http.NewRequest(http.MethodPost, srv.URL+ana+"/interactions", strings.NewReader(bad.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("HX-Request", "true")
		r = c.Do(req)
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `id="timeline"`) || !strings.Contains(r.Body, "field-error") && !strings.Contains(r.Body, "Please correct") {
			t.Fatalf("bad composer input: %d %.600s", r.Status, r.Body)
		}
		// The home page's activity feed shows it.
		if home := c.Get("/?mine=1"); !strings.Contains(home.Body, "Renewal pricing") {
			t.Error("activity feed lacks the call")
		}
	})
}

func TestTimelineInfiniteScrollWalksEverything(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		c, u := srv.SignedIn(t, models.RoleMember, "Sales")
		a := u.Actor("session")
		ct, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Scroll", FamilyName: apptest.Unique("Test")})
		if err != nil {
			t.Fatal(err)
		}
		base := time.Now().Add(-100 * 24 * time.Hour)
		for i := range 75 {
			if _, err := db.LogInteraction(ctx, a, models.InteractionRequest{Kind: "message", Direction: "inbound", ContactIDs: []int64{ct.ID},
				OccurredAt: base.Add(time.Duration(i) * 7 * time.Hour), Subject: fmt.Sprintf("msg-%03d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		path := fmt.Sprintf("/contacts/%d", ct.ID)
		body := c.Get(path).Body
		seen := map[string]bool{}
		next := regexp.MustCompile(`hx-get="([^"]*cursor=[^"]*)" hx-trigger="revealed"`)
		subj := regexp.MustCompile(`msg-(\d{3})`)
		for range 10 {
			for _, m := range subj.FindAllString(body, -1) {
				if seen[m] {
					t.Fatalf("%s shown twice", m)
				}
				seen[m] = true
			}
			m := next.FindStringSubmatch(body)
			if m == nil {
				break
			}
			body = htmxGet(t, c, srv.URL, html.UnescapeString(m[1])).Body
		}
		if len(seen) != 75 {
			t.Fatalf("scrolling showed %d of 75 items", len(seen))
		}
	})
}

func TestViewerSeesTimelineButNoComposer(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		m, _ := srv.SignedIn(t, models.RoleMember, "Sales")
		loc := createContactUI(t, m, url.Values{"given_name": {"View"}, "family_name": {apptest.Unique("Only")}})
		v, _ := srv.SignedIn(t, models.RoleViewer, "Sales")
		p := v.Get(loc)
		if !strings.Contains(p.Body, "Contact created") || strings.Contains(p.Body, "Log a call") {
			t.Fatal("viewer: timeline yes, composer no")
		}
		if r := v.PostForm(loc+"/interactions", url.Values{"kind": {"call"}, "direction": {"inbound"}}); r.Status != http.StatusForbidden {
			t.Fatalf("viewer logging: %d", r.Status)
		}
	})
}
