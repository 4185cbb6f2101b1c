package app_test

import (
	"context"
	"fmt"
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

// cardOf returns the Inbox card of one item on a page.
func cardOf(t *testing.T, body string, id int64) string {
	t.Helper()
	start := strings.Index(body, fmt.Sprintf(`id="inbox-item-%d"`, id))
	if start < 0 {
		t.Fatalf("no card for Inbox item %d in %.1500s", id, body)
	}
	rest := body[start:]
	if end := strings.Index(rest, "</article>"); end >= 0 {
		return rest[:end]
	}
	return rest
}

// The Inbox page shows a pushed post as a card with its term, waiting
// time, the contact's key facts and forms that carry CSRF tokens; a reply
// through htmx swaps the card, and the item moves to Replied.
func TestInboxPageReplyFlow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		f := newSocialFixture(t, db, "Support")
		if _, err := db.SaveKeyFacts(ctx, f.user.Actor("token"), f.contact.ID, "Premium customer since 2019", 0); err != nil {
			t.Fatal(err)
		}
		res := push(t, f.writer, f.post("Where is my "+f.term+"?", 30*time.Minute), http.StatusCreated)
		c, u := f.srv.SignedIn(t, models.RoleMember, "Support")
		page := c.Get("/inbox")
		if page.Status != http.StatusOK {
			t.Fatalf("inbox page: %d", page.Status)
		}
		card := cardOf(t, page.Body, res.Inbox.ID)
		for _, want := range []string{
			fmt.Sprintf(`href="/contacts/%d"`, f.contact.ID), f.contact.Name(), "Where is my " + f.term, f.term,
			`rel="noopener nofollow ugc"`, "View post", "wait-late", "Premium customer since 2019",
			`name="_csrf"`, fmt.Sprintf(`action="/inbox/%d/reply"`, res.Inbox.ID), fmt.Sprintf(`action="/inbox/%d/close"`, res.Inbox.ID),
			`hx-get="/users/picker?for=inbox-assignee"`,
		} {
			if !strings.Contains(card, want) {
				t.Errorf("card lacks %q", want)
			}
		}
		if m := regexp.MustCompile(`name="_csrf" value="([^"]*)"`).FindStringSubmatch(card); m == nil || m[1] == "" {
			t.Error("card forms carry no CSRF token")
		}

		// A forged form without the token is refused.
		if r := c.PostFormNoCSRF(fmt.Sprintf("/inbox/%d/close", res.Inbox.ID), url.Values{"version": {fmt.Sprint(res.Inbox.Version)}}); r.Status != http.StatusForbidden {
			t.Errorf("close without CSRF: %d", r.Status)
		}
		// Assign to the reader, then reply: each answers the card.
		r := htmxPost(t, c, f.srv.URL, fmt.Sprintf("/inbox/%d/assign", res.Inbox.ID),
			url.Values{"version": {fmt.Sprint(res.Inbox.Version)}, "assignee": {fmt.Sprintf("user:%d", u.ID)}})
		if r.Status != http.StatusOK || !strings.Contains(r.Body, u.Name) || !strings.Contains(r.Body, personOption(u)) {
			t.Fatalf("assign: %d %.500s", r.Status, r.Body)
		}
		if mine := c.Get("/inbox?tab=mine"); !strings.Contains(mine.Body, fmt.Sprintf(`id="inbox-item-%d"`, res.Inbox.ID)) {
			t.Error("assigned item not under Mine")
		}
		it, err := db.InboxItemByID(ctx, u.Actor("session"), res.Inbox.ID)
		if err != nil {
			t.Fatal(err)
		}
		r = htmxPost(t, c, f.srv.URL, fmt.Sprintf("/inbox/%d/reply", it.ID),
			url.Values{"version": {fmt.Sprint(it.Version)}, "text": {"We sent it today, sorry!"}, "url": {"https://mastodon.social/statuses/r1"}})
		if r.Status != http.StatusOK || !strings.Contains(r.Body, "answered in") || !strings.Contains(r.Body, "We sent it today, sorry!") {
			t.Fatalf("reply: %d %.800s", r.Status, r.Body)
		}
		// The same form again is stale.
		r = htmxPost(t, c, f.srv.URL, fmt.Sprintf("/inbox/%d/reply", it.ID),
			url.Values{"version": {fmt.Sprint(it.Version)}, "text": {"again"}})
		if r.Status != http.StatusConflict {
			t.Errorf("stale reply: %d", r.Status)
		}
		if open := c.Get("/inbox"); strings.Contains(open.Body, fmt.Sprintf(`id="inbox-item-%d"`, it.ID)) {
			t.Error("replied item still under Open")
		}
		replied := cardOf(t, c.Get("/inbox?tab=replied").Body, it.ID)
		if !strings.Contains(replied, "response time") || !strings.Contains(replied, "inbox-response") {
			t.Errorf("replied card: %.800s", replied)
		}

		// Viewers see the Inbox but no forms.
		viewer, _ := f.srv.SignedIn(t, models.RoleViewer, "Support")
		if vp := viewer.Get("/inbox?tab=replied"); vp.Status != http.StatusOK || strings.Contains(cardOf(t, vp.Body, it.ID), "<form") {
			t.Errorf("viewer's Inbox: %d", vp.Status)
		}
		if r := viewer.PostForm(fmt.Sprintf("/inbox/%d/reopen", it.ID), url.Values{"version": {"1"}}); r.Status != http.StatusForbidden {
			t.Errorf("viewer reopens: %d", r.Status)
		}
	})
}

// Markup in a pushed post is shown as text, never run.
func TestInboxEscapesPostText(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		f := newSocialFixture(t, db, "Support")
		body := f.post(`<script>alert("x")</script><img src=x onerror=alert(1)> `+f.term, time.Minute)
		body["author_name"] = `<b onmouseover=alert(1)>Eve</b>`
		body["handle"] = "@" + apptest.Unique("eve") + "@example.social"
		body["url"] = "javascript:alert(1)"
		if p := problem(t, f.writer.JSON(http.MethodPost, "/api/v1/social/items", body), http.StatusUnprocessableEntity); p.Errors["url"] == "" {
			t.Errorf("a javascript: link was not refused: %v", p.Errors)
		}
		body["url"] = "https://example.social/@eve/1"
		res := push(t, f.writer, body, http.StatusCreated)
		c, _ := f.srv.SignedIn(t, models.RoleMember, "Support")
		card := cardOf(t, c.Get("/inbox").Body, res.Inbox.ID)
		for _, bad := range []string{"<script>alert", "<img src=x", "<b onmouseover"} {
			if strings.Contains(card, bad) {
				t.Errorf("card carries %q unescaped: %.800s", bad, card)
			}
		}
		if !strings.Contains(card, "&lt;script&gt;") {
			t.Errorf("post text not shown escaped: %.800s", card)
		}

		// A feed's HTML keeps its paragraphs and links, and loses scripts.
		fed, err := db.IngestSocialPosts(context.Background(), models.System, []models.SocialPost{{Network: "blog",
			ExternalID: apptest.Unique("html-"), Handle: "@" + apptest.Unique("blogger"), URL: "https://blog.example/1",
			Text: "A " + f.term + " story", HTML: `<p>A <a href="https://blog.example/r">` + f.term + `</a> story</p><script>alert(2)</script><p onclick="alert(3)">end</p>`}},
			models.IngestOptions{Source: models.TimelineSourceFeed})
		if err != nil || fed[0].Inbox == nil {
			t.Fatalf("ingest HTML: %v %+v", err, fed)
		}
		html := cardOf(t, c.Get("/inbox").Body, fed[0].Inbox.ID)
		if strings.Contains(html, "<script>alert(2)") || strings.Contains(html, "onclick") || !strings.Contains(html, "<p>A <a href=\"https://blog.example/r\"") {
			t.Errorf("feed HTML on the card: %.800s", html)
		}
	})
}

// "Load more" fetches the next page of a tab as cards.
func TestInboxLoadMore(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		f := newSocialFixture(t, db, "Support")
		for i := range 55 {
			push(t, f.writer, f.post(fmt.Sprintf("%s %d", f.term, i), time.Duration(60-i)*time.Minute), http.StatusCreated)
		}
		c, _ := f.srv.SignedIn(t, models.RoleMember, "Support")
		page := c.Get("/inbox")
		m := regexp.MustCompile(`hx-get="(/inbox\?tab=open&amp;cursor=[^"]+)"`).FindStringSubmatch(page.Body)
		if m == nil {
			t.Fatalf("no Load more: %d cards", strings.Count(page.Body, `class="card inbox-item`))
		}
		first := strings.Count(page.Body, `class="card inbox-item`)
		more := htmxGet(t, c, f.srv.URL, strings.ReplaceAll(m[1], "&amp;", "&"))
		if more.Status != http.StatusOK || strings.Contains(more.Body, "<html") {
			t.Fatalf("load more: %d %.300s", more.Status, more.Body)
		}
		if n := strings.Count(more.Body, `class="card inbox-item`); first+n != 55 {
			t.Errorf("%d + %d cards, want 55", first, n)
		}
	})
}

func TestWatchTermsPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		admin, _ := srv.SignedIn(t, models.RoleAdmin, "Support")
		member, _ := srv.SignedIn(t, models.RoleMember, "Support")
		term := apptest.Unique("Broken Login ")
		if p := admin.Get("/listening/terms"); p.Status != http.StatusOK || !strings.Contains(p.Body, `action="/listening/terms"`) {
			t.Fatalf("admin's terms page: %d", p.Status)
		}
		if r := admin.PostFormNoCSRF("/listening/terms", url.Values{"term": {term}}); r.Status != http.StatusForbidden {
			t.Errorf("add without CSRF: %d", r.Status)
		}
		if r := admin.PostForm("/listening/terms", url.Values{"term": {term}, "exclude": {"test account\n\nplanned"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("add: %d %.500s", r.Status, r.Body)
		}
		if r := admin.PostForm("/listening/terms", url.Values{"term": {strings.ToLower(term)}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "f-term") {
			t.Errorf("duplicate term: %d", r.Status)
		}
		p := member.Get("/listening/terms")
		if !strings.Contains(p.Body, term) || !strings.Contains(p.Body, "test account, planned") || strings.Contains(p.Body, `action="/listening/terms"`) {
			t.Errorf("member's terms page: %.1500s", p.Body)
		}
		terms, err := db.WatchTerms(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var id int64
		for _, wt := range terms {
			if wt.Term == term {
				id = wt.ID
			}
		}
		del := fmt.Sprintf("/listening/terms/%d/delete", id)
		if r := member.PostForm(del, url.Values{"confirm": {"yes"}}); r.Status != http.StatusForbidden {
			t.Errorf("member deletes: %d", r.Status)
		}
		admin.Get("/listening/terms")
		if r := admin.PostForm(del, url.Values{}); r.Status != http.StatusSeeOther {
			t.Errorf("unconfirmed delete: %d", r.Status)
		}
		if p := admin.Get("/listening/terms"); !strings.Contains(p.Body, term) {
			t.Error("an unconfirmed delete removed the term")
		}
		if r := admin.PostForm(del, url.Values{"confirm": {"yes"}}); r.Status != http.StatusSeeOther {
			t.Errorf("delete: %d", r.Status)
		}
		if p := admin.Get("/listening/terms"); strings.Contains(p.Body, term) {
			t.Error("deleted term still shown")
		}
	})
}

// The dashboard carries its numbers as a table and as JSON for the charts.
func TestListeningPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		f := newSocialFixture(t, db, "Support")
		push(t, f.writer, f.post("Another "+f.term, time.Minute), http.StatusCreated)
		c, _ := f.srv.SignedIn(t, models.RoleMember, "Support")
		for _, days := range []string{"7", "30", "90", "bogus"} {
			p := c.Get("/listening?days=" + days)
			if p.Status != http.StatusOK {
				t.Fatalf("listening %s: %d", days, p.Status)
			}
			for _, want := range []string{`<script id="listening-data" type="application/json">`, `id="table-days"`, "js/listening.js", "uPlot-1.6.32.iife.min.js", f.term} {
				if !strings.Contains(p.Body, want) {
					t.Errorf("days=%s: page lacks %q", days, want)
				}
			}
		}
		p := c.Get("/listening?days=7")
		if n := strings.Count(regexp.MustCompile(`(?s)<table class="table small stats-table" id="table-days">.*?</table>`).FindString(p.Body), "<tr>"); n != 8 {
			t.Errorf("7-day table has %d rows, want 8 with the header", n)
		}
	})
}

// A contact's feed health panel, and "Poll now".
func TestContactFeedsPanel(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		c, u := srv.SignedIn(t, models.RoleMember, "Support")
		ct, err := db.CreateContact(ctx, u.Actor("session"), models.ContactRequest{GivenName: "Feed", FamilyName: apptest.Unique("Health"),
			SocialProfiles: []models.SocialProfileInput{{URL: "https://mastodon.social/@" + apptest.Unique("feedy")}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.SyncSocialFeeds(ctx); err != nil {
			t.Fatal(err)
		}
		feeds, err := db.FeedsOfContact(ctx, u.Actor("session"), ct.ID)
		if err != nil || len(feeds) != 1 || feeds[0].Feed == nil {
			t.Fatalf("feeds: %v %+v", err, feeds)
		}
		path := fmt.Sprintf("/contacts/%d/feeds", ct.ID)
		panel := htmxGet(t, c, srv.URL, path)
		if panel.Status != http.StatusOK || !strings.Contains(panel.Body, "Poll now") || !strings.Contains(panel.Body, feeds[0].Profile.FeedURL) ||
			strings.Contains(panel.Body, "<html") {
			t.Fatalf("panel: %d %.800s", panel.Status, panel.Body)
		}
		if show := c.Get(fmt.Sprintf("/contacts/%d", ct.ID)); !strings.Contains(show.Body, `hx-get="`+path+`"`) {
			t.Error("the contact page does not load the feed panel")
		}
		c.Get(path)
		poll := fmt.Sprintf("%s/%d/poll", path, feeds[0].Feed.ID)
		r := htmxPost(t, c, srv.URL, poll, url.Values{})
		if r.Status != http.StatusOK || !strings.Contains(r.Body, "asked for now") {
			t.Fatalf("poll now: %d %.500s", r.Status, r.Body)
		}
		after, err := db.FeedsOfContact(ctx, u.Actor("session"), ct.ID)
		if err != nil || after[0].Feed.NextPollAt.After(time.Now()) {
			t.Errorf("next poll %v after poll now", after[0].Feed.NextPollAt)
		}
		// Another contact's page cannot poll this feed.
		other, err := db.CreateContact(ctx, u.Actor("session"), models.ContactRequest{GivenName: "No", FamilyName: apptest.Unique("Feed")})
		if err != nil {
			t.Fatal(err)
		}
		if r := htmxPost(t, c, srv.URL, fmt.Sprintf("/contacts/%d/feeds/%d/poll", other.ID, feeds[0].Feed.ID), url.Values{}); r.Status != http.StatusNotFound {
			t.Errorf("poll through another contact: %d", r.Status)
		}
		api, _ := apiClient(t, srv, "bearer", models.RoleMember, "Support")
		if r := api.JSON(http.MethodPost, fmt.Sprintf("/api/v1/social/feeds/%d/poll", feeds[0].Feed.ID), nil); r.Status != http.StatusAccepted {
			t.Errorf("API poll now: %d %s", r.Status, r.Body)
		}
		viewer, _ := apiClient(t, srv, "bearer", models.RoleViewer, "Support")
		problem(t, viewer.JSON(http.MethodPost, fmt.Sprintf("/api/v1/social/feeds/%d/poll", feeds[0].Feed.ID), nil), http.StatusForbidden)
	})
}
