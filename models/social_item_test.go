package models_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"rapport/models"
	"rapport/models/dbtest"
)

func mustIngest(t testing.TB, db *models.DB, actor models.Actor, opts models.IngestOptions, posts ...models.SocialPost) []models.IngestResult {
	t.Helper()
	res, err := db.IngestSocialPosts(context.Background(), actor, posts, opts)
	if err != nil {
		t.Fatalf("IngestSocialPosts(%+v): %v", posts, err)
	}
	if len(res) != len(posts) {
		t.Fatalf("IngestSocialPosts: %d results for %d posts", len(res), len(posts))
	}
	return res
}

func mustWatch(t testing.TB, db *models.DB, admin models.Actor, term string, exclude ...string) *models.WatchTerm {
	t.Helper()
	w, err := db.CreateWatchTerm(context.Background(), admin, models.WatchTermInput{Term: term, Exclude: exclude})
	if err != nil {
		t.Fatalf("CreateWatchTerm(%q): %v", term, err)
	}
	return w
}

// socialItems are the social items on a contact's timeline.
func socialItems(t testing.TB, db *models.DB, actor models.Actor, contactID int64) []models.TimelineItem {
	t.Helper()
	var out []models.TimelineItem
	for _, it := range contactTimeline(t, db, actor, contactID) {
		if it.Kind == models.TimelineSocial {
			out = append(out, it)
		}
	}
	return out
}

func TestSocialIngestDedup(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		a := newTestActor(t, db, models.RoleMember)
		c := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Ngaio", SocialProfiles: []models.SocialProfileInput{
			{URL: "https://github.com/" + uniqueLabel("ngaio")}}})
		handle := c.SocialProfiles[0].Handle
		published := time.Now().Add(-time.Hour).UTC().Truncate(time.Microsecond)
		post := models.SocialPost{Network: "GitHub", Handle: "@" + strings.ToUpper(handle), ExternalID: uniqueLabel("gh-"),
			URL: "https://github.com/" + handle + "/repo/issues/1", Text: "Opened an issue\nsecond line",
			HTML:        `<p>Broken <a href="javascript:alert(1)" onclick="x()">link</a><img src="https://tracker.example/p.gif"><script>alert(1)</script></p>`,
			PublishedAt: published}
		first := mustIngest(t, db, a, models.IngestOptions{}, post)[0]
		if !first.Created || first.Item.ID == 0 || first.Item.Network != "github" || first.Item.Source != "push" ||
			!first.Item.PublishedAt.Equal(published) || len(first.ContactIDs) != 1 || first.ContactIDs[0] != c.ID || first.Inbox != nil {
			t.Fatalf("first ingest = %+v", first)
		}
		if h := first.Item.HTML; strings.Contains(h, "script") || strings.Contains(h, "javascript") || strings.Contains(h, "onclick") ||
			strings.Contains(h, "<img") || !strings.Contains(h, "Broken") {
			t.Fatalf("stored HTML not sanitised: %q", h)
		}
		again := mustIngest(t, db, a, models.IngestOptions{}, post)[0]
		if again.Created || again.Item.ID != first.Item.ID || len(again.ContactIDs) != 1 {
			t.Fatalf("second ingest = %+v", again)
		}
		items := socialItems(t, db, a, c.ID)
		if len(items) != 1 {
			t.Fatalf("timeline has %d social items, want 1", len(items))
		}
		it := items[0]
		if it.Channel != "github" || it.Source != models.TimelineSourceAPI || it.Summary != "Opened an issue" ||
			it.Ref == nil || it.Ref.Type != "social_item" || it.Ref.ID != first.Item.ID || !it.OccurredAt.Equal(published) || it.ActorUserID != nil {
			t.Fatalf("timeline item = %+v", it)
		}
		var data map[string]any
		if err := json.Unmarshal(it.Data, &data); err != nil || data["url"] != post.URL || data["network"] != "github" ||
			data["html"] != first.Item.HTML {
			t.Fatalf("timeline data = %s (%v)", it.Data, err)
		}
		got, err := db.SocialItem(ctx, a, first.Item.ID)
		if err != nil || got.ExternalID != post.ExternalID {
			t.Fatalf("SocialItem = %+v, %v", got, err)
		}
		// Without a GUID the link identifies the post.
		noID := models.SocialPost{Network: "github", Handle: handle, URL: "https://github.com/" + handle + "/repo/issues/2",
			HTML: "<p>Plain</p><p>text &amp; more</p>"}
		// The same post twice in one batch: the second meets the first's row.
		both := mustIngest(t, db, a, models.IngestOptions{}, noID, noID)
		r1, r2 := both[0], both[1]
		if !r1.Created || r2.Created || r2.Item.ID != r1.Item.ID || len(r2.ContactIDs) != 1 || r1.Item.ExternalID != noID.URL ||
			r1.Item.Text != "Plain text & more" {
			t.Fatalf("link as id: %+v then %+v", r1.Item, r2.Item)
		}
	})
}

func TestSocialIngestValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		a := newTestActor(t, db, models.RoleMember)
		viewer := newTestActor(t, db, models.RoleViewer)
		if _, err := db.IngestSocialPosts(ctx, viewer, []models.SocialPost{{Network: "x", Text: "hi"}}, models.IngestOptions{}); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("viewer push: %v", err)
		}
		_, err := db.IngestSocialPosts(ctx, a, []models.SocialPost{{Text: "no network"}}, models.IngestOptions{})
		if f := validationFields(t, err); f["network"] == "" {
			t.Fatalf("fields = %v", f)
		}
		_, err = db.IngestSocialPosts(ctx, a, []models.SocialPost{{Network: "x", Text: "ok"}, {Network: "x", URL: "javascript:alert(1)"}}, models.IngestOptions{})
		if f := validationFields(t, err); f["posts[1].url"] == "" {
			t.Fatalf("fields = %v", f)
		}
	})
}

// Two instances ingesting the same post at once store it once, with one
// timeline item per contact and one Inbox item.
func TestSocialIngestConcurrent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		dept := newTestDepartment(t, db, "Support")
		admin := newTestActor(t, db, models.RoleAdmin, dept)
		term := uniqueLabel("outage")
		mustWatch(t, db, admin, term)
		handle := uniqueLabel("race")
		handle = handle[max(len(handle)-15, 0):] // X handles have at most 15 characters
		c := mustCreateContact(t, db, admin, models.ContactRequest{GivenName: "Race", SocialProfiles: []models.SocialProfileInput{
			{URL: "https://x.com/" + handle}}})
		post := models.SocialPost{Network: "x", Handle: handle, ExternalID: uniqueLabel("tw"), Text: "Total " + term + " again"}
		const n = 6
		results := make([]models.IngestResult, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				var res []models.IngestResult
				res, errs[i] = db.IngestSocialPosts(ctx, models.System, []models.SocialPost{post}, models.IngestOptions{})
				if len(res) == 1 {
					results[i] = res[0]
				}
			})
		}
		wg.Wait()
		created := 0
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("ingest %d: %v", i, errs[i])
			}
			if results[i].Created {
				created++
			}
			if results[i].Item.ID != results[0].Item.ID || results[i].Inbox == nil || results[i].Inbox.ID != results[0].Inbox.ID {
				t.Fatalf("result %d = %+v, first %+v", i, results[i], results[0])
			}
		}
		if created != 1 {
			t.Fatalf("%d ingests created the post, want 1", created)
		}
		if items := socialItems(t, db, admin, c.ID); len(items) != 1 {
			t.Fatalf("timeline has %d social items", len(items))
		}
		page, err := db.Inbox(ctx, admin, models.InboxOptions{Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		found := 0
		for _, it := range page.Items {
			if it.Item.ID == results[0].Item.ID {
				found++
			}
		}
		if found != 1 {
			t.Fatalf("%d inbox items for the post", found)
		}
	})
}

// A company blog named by two contacts' profiles is fetched once and its
// posts land on both timelines.
func TestSocialFeedPostOnTwoContacts(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		a := newTestActor(t, db, models.RoleMember)
		feedURL := "https://blog.example/" + uniqueLabel("feed") + ".xml"
		profile := func(path string) []models.SocialProfileInput {
			return []models.SocialProfileInput{{URL: "https://blog.example/" + path, Network: "Blog", FeedURL: feedURL}}
		}
		c1 := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Aroha", SocialProfiles: profile("aroha")})
		c2 := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Wiremu", SocialProfiles: profile("wiremu")})
		if added, _, err := db.SyncSocialFeeds(ctx); err != nil || added != 1 {
			t.Fatalf("SyncSocialFeeds = %d, %v", added, err)
		}
		pf, err := db.FeedsOfContact(ctx, a, c2.ID)
		if err != nil || len(pf) != 1 || pf[0].Feed == nil || pf[0].Feed.URL != feedURL {
			t.Fatalf("FeedsOfContact = %+v, %v", pf, err)
		}
		res := mustIngest(t, db, models.System, models.IngestOptions{FeedID: pf[0].Feed.ID},
			models.SocialPost{Network: "blog", ExternalID: "post-1", URL: "https://blog.example/p/1", Title: "We moved offices",
				Media: []models.SocialMedia{{URL: "https://blog.example/p/1.jpg", Type: "image/jpeg"}, {URL: "data:xx"}}})[0]
		if !res.Created || len(res.ContactIDs) != 2 || res.Item.Source != "feed" || res.Item.FeedID == nil ||
			len(res.Item.Media) != 1 || res.Item.Media[0].Type != "image/jpeg" {
			t.Fatalf("result = %+v", res)
		}
		for _, c := range []*models.Contact{c1, c2} {
			items := socialItems(t, db, a, c.ID)
			if len(items) != 1 || items[0].Source != models.TimelineSourceFeed || items[0].Summary != "We moved offices" ||
				items[0].Attribution() != "Social feed" {
				t.Fatalf("contact %d social items = %+v", c.ID, items)
			}
		}
	})
}

// A pushed post finds its contact by network and handle, whatever the case
// and @, and by profile address.
func TestSocialPushMatching(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		a := newTestActor(t, db, models.RoleMember)
		user := uniqueLabel("Ada")
		c := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Ada", SocialProfiles: []models.SocialProfileInput{
			{URL: "https://Mastodon.Example/@" + user},
			{URL: "https://github.com/" + user},
			{URL: "https://shop.example/people/" + user + "/", Network: "shop"}}})
		if c.SocialProfiles[0].Handle != "@"+user+"@mastodon.example" {
			t.Fatalf("mastodon handle stored as %q", c.SocialProfiles[0].Handle)
		}
		cases := []struct {
			name string
			post models.SocialPost
			want bool
		}{
			{"mastodon user@host", models.SocialPost{Network: "Mastodon", Handle: strings.ToLower(user) + "@MASTODON.example"}, true},
			{"mastodon @user@host", models.SocialPost{Network: "mastodon", Handle: "@" + user + "@mastodon.example"}, true},
			{"mastodon other host", models.SocialPost{Network: "mastodon", Handle: "@" + user + "@other.example"}, false},
			{"github @handle", models.SocialPost{Network: "github", Handle: "@" + strings.ToUpper(user)}, true},
			{"github handle on another network", models.SocialPost{Network: "x", Handle: user}, false},
			{"profile URL", models.SocialPost{Network: "shop", ProfileURL: "HTTPS://SHOP.example/people/" + user}, true},
			{"recognised profile URL", models.SocialPost{Network: "github", ProfileURL: "https://github.com/" + user + "/"}, true},
			{"unknown profile", models.SocialPost{Network: "shop", ProfileURL: "https://shop.example/people/someone-else"}, false},
		}
		for i, tc := range cases {
			tc.post.ExternalID, tc.post.Text = uniqueLabel("push"), "post "+tc.name
			res := mustIngest(t, db, a, models.IngestOptions{}, tc.post)[0]
			got := len(res.ContactIDs) == 1 && res.ContactIDs[0] == c.ID
			if got != tc.want || (!tc.want && len(res.ContactIDs) != 0) {
				t.Errorf("case %d %s: contacts %v, want match %v", i, tc.name, res.ContactIDs, tc.want)
			}
		}
		if n := len(socialItems(t, db, a, c.ID)); n != 5 {
			t.Fatalf("timeline has %d social items, want 5", n)
		}
	})
}

// A restricted contact's post is on their timeline, but the pushing
// outsider is told of no contact, and the Inbox item is invisible to them.
func TestSocialIngestRestrictedContact(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		legal := newTestDepartment(t, db, "Legal")
		insider := newTestActor(t, db, models.RoleMember, legal)
		outsider := newTestActor(t, db, models.RoleMember)
		user := uniqueLabel("secret")
		c := mustCreateContact(t, db, insider, models.ContactRequest{GivenName: "Hidden", RestrictedDepartmentID: &legal,
			Tags: []string{"Attention"}, SocialProfiles: []models.SocialProfileInput{{URL: "https://github.com/" + user}}})
		res := mustIngest(t, db, outsider, models.IngestOptions{AttentionTag: "ATTENTION"},
			models.SocialPost{Network: "github", Handle: user, ExternalID: uniqueLabel("s"), Text: "hello"})[0]
		if !res.Created || len(res.ContactIDs) != 0 || res.Inbox != nil {
			t.Fatalf("outsider sees %+v", res)
		}
		if _, err := db.SocialItem(ctx, outsider, res.Item.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("outsider SocialItem: %v", err)
		}
		if items := socialItems(t, db, insider, c.ID); len(items) != 1 {
			t.Fatalf("insider timeline: %+v", items)
		}
		again := mustIngest(t, db, insider, models.IngestOptions{}, models.SocialPost{Network: "github", Handle: user,
			ExternalID: res.Item.ExternalID, Text: "hello"})[0]
		if again.Created || len(again.ContactIDs) != 1 || again.Inbox == nil || again.Inbox.ContactID == nil ||
			*again.Inbox.ContactID != c.ID || again.Inbox.Reason[0] != "attention" {
			t.Fatalf("insider sees %+v", again)
		}
	})
}

// A repeat of a stored post answers it only to someone who may see it: an
// outsider's push of the id of a post only on a restricted contact's
// timeline comes back Withheld with nothing of the post, and changes
// nothing. The feed poller (System) still gets the stored post.
func TestSocialIngestRepeatOfHiddenPost(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		legal := newTestDepartment(t, db, "Legal")
		insider := newTestActor(t, db, models.RoleMember, legal)
		outsider := newTestActor(t, db, models.RoleAdmin)
		user := uniqueLabel("hidden")
		mustCreateContact(t, db, insider, models.ContactRequest{GivenName: "Hidden", RestrictedDepartmentID: &legal,
			SocialProfiles: []models.SocialProfileInput{{URL: "https://github.com/" + user}}})
		id := uniqueLabel("s")
		first := mustIngest(t, db, insider, models.IngestOptions{},
			models.SocialPost{Network: "github", Handle: user, ExternalID: id, Text: "the secret"})[0]

		probe := mustIngest(t, db, outsider, models.IngestOptions{},
			models.SocialPost{Network: "github", ExternalID: id, ProfileURL: "https://x.invalid/", Text: "probe"})[0]
		if probe.Created || !probe.Withheld || probe.Item.ID != 0 || probe.Item.Text != "" || probe.Item.Handle != "" ||
			probe.Item.ExternalID != id || len(probe.ContactIDs) != 0 || probe.Inbox != nil {
			t.Fatalf("outsider's repeat: %+v", probe)
		}
		stored, err := db.SocialItem(ctx, insider, first.Item.ID)
		if err != nil || stored.Text != "the secret" || stored.ProfileURL != first.Item.ProfileURL || stored.Handle != first.Item.Handle {
			t.Fatalf("stored post after the outsider's push: %+v, %v", stored, err)
		}
		sys := mustIngest(t, db, models.System, models.IngestOptions{},
			models.SocialPost{Network: "github", ExternalID: id, Handle: user, Text: "the secret"})[0]
		if sys.Withheld || sys.Item.ID != first.Item.ID {
			t.Errorf("System's repeat: %+v", sys)
		}
		mine := mustIngest(t, db, insider, models.IngestOptions{},
			models.SocialPost{Network: "github", ExternalID: id, Handle: user, Text: "the secret"})[0]
		if mine.Withheld || mine.Item.ID != first.Item.ID || mine.Item.Text != "the secret" {
			t.Errorf("insider's repeat: %+v", mine)
		}
	})
}
