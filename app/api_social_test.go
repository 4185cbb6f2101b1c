package app_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

// apiInboxItem is an Inbox item as a client reads it.
type apiInboxItem struct {
	ID             int64     `json:"id"`
	Status         string    `json:"status"`
	MatchedTerms   []string  `json:"matched_terms"`
	WaitingSeconds int64     `json:"waiting_seconds"`
	PublishedAt    time.Time `json:"published_at"`
	Contact        *apiNamed `json:"contact"`
	KeyFacts       string    `json:"key_facts"`
	Post           struct {
		ID      int64  `json:"id"`
		Network string `json:"network"`
		Handle  string `json:"handle"`
		URL     string `json:"url"`
		Text    string `json:"text"`
	} `json:"post"`
	AssigneeUser       *apiNamed `json:"assignee_user"`
	AssigneeDepartment *apiNamed `json:"assignee_department"`
	ResponseSeconds    *int64    `json:"response_seconds"`
	Reply              *struct {
		Text          string `json:"text"`
		URL           string `json:"url"`
		InteractionID *int64 `json:"interaction_id"`
	} `json:"reply"`
	CloseReason string `json:"close_reason"`
	Version     int64  `json:"version"`
}

type apiInboxPage struct {
	Items      []apiInboxItem `json:"items"`
	NextCursor *string        `json:"next_cursor"`
}

// apiPushResult is the answer to a pushed post.
type apiPushResult struct {
	Item struct {
		ID         int64  `json:"id"`
		ExternalID string `json:"external_id"`
		Text       string `json:"text"`
	} `json:"item"`
	Created    bool          `json:"created"`
	ContactIDs []int64       `json:"contact_ids"`
	Inbox      *apiInboxItem `json:"inbox"`
}

// socialFixture is a server with a watch term, a writer's API client, and
// a contact with a Mastodon profile whose posts can be pushed.
type socialFixture struct {
	srv     *apptest.Server
	db      *models.DB
	writer  *apptest.Client
	user    *models.User
	term    string
	contact *models.Contact
	handle  string
}

func newSocialFixture(t *testing.T, db *models.DB, dept string) *socialFixture {
	t.Helper()
	ctx := context.Background()
	f := &socialFixture{srv: apptest.Start(t, db), db: db}
	f.writer, f.user = apiClient(t, f.srv, "bearer", models.RoleMember, dept)
	f.term = apptest.Unique("refundo")
	if _, err := db.CreateWatchTerm(ctx, models.System, models.WatchTermInput{Term: f.term, Exclude: []string{"ignore me " + f.term}}); err != nil {
		t.Fatal(err)
	}
	name := apptest.Unique("ana")
	ct, err := db.CreateContact(ctx, f.user.Actor("token"), models.ContactRequest{GivenName: "Ana", FamilyName: apptest.Unique("Social"),
		SocialProfiles: []models.SocialProfileInput{{URL: "https://mastodon.social/@" + name}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ct.SocialProfiles) != 1 || ct.SocialProfiles[0].Handle == "" {
		t.Fatalf("profile not recognised: %+v", ct.SocialProfiles)
	}
	f.contact, f.handle = ct, ct.SocialProfiles[0].Handle
	return f
}

// post is a pushed post by the fixture's contact, published ago before now.
func (f *socialFixture) post(text string, ago time.Duration) map[string]any {
	id := apptest.Unique("status-")
	return map[string]any{"network": "mastodon", "handle": f.handle, "external_id": id,
		"url": "https://mastodon.social/statuses/" + id, "text": text,
		"published_at": time.Now().Add(-ago).UTC().Format(time.RFC3339)}
}

func push(t *testing.T, c *apptest.Client, body map[string]any, status int) apiPushResult {
	t.Helper()
	r := c.JSON(http.MethodPost, "/api/v1/social/items", body)
	if r.Status != status {
		t.Fatalf("push: %d, want %d: %.800s", r.Status, status, r.Body)
	}
	var out apiPushResult
	r.Decode(t, &out)
	return out
}

func inboxList(t *testing.T, c *apptest.Client, query string) apiInboxPage {
	t.Helper()
	r := c.JSON(http.MethodGet, "/api/v1/inbox"+query, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("inbox%s: %d %.500s", query, r.Status, r.Body)
	}
	var page apiInboxPage
	r.Decode(t, &page)
	return page
}

func findInbox(page apiInboxPage, id int64) *apiInboxItem {
	for i := range page.Items {
		if page.Items[i].ID == id {
			return &page.Items[i]
		}
	}
	return nil
}

// A pushed post that mentions a watch term is in the Inbox when the push
// returns, with its term and waiting time; a second push of it changes
// nothing; a post matching no term is stored but opens nothing.
func TestSocialPushReachesInbox(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		f := newSocialFixture(t, db, "Support")
		body := f.post("Still waiting for my "+strings.ToUpper(f.term)+", please help!", 5*time.Minute)
		first := push(t, f.writer, body, http.StatusCreated)
		if !first.Created || first.Inbox == nil || !slices.Contains(first.ContactIDs, f.contact.ID) {
			t.Fatalf("first push: %+v", first)
		}
		got := findInbox(inboxList(t, f.writer, "?status=open"), first.Inbox.ID)
		if got == nil {
			t.Fatal("pushed post is not in the open Inbox")
		}
		if !slices.Equal(got.MatchedTerms, []string{f.term}) || got.Contact == nil || got.Contact.ID != f.contact.ID ||
			got.Post.Network != "mastodon" || got.Post.Text != body["text"] || got.Post.Handle == "" {
			t.Errorf("inbox item: %+v", got)
		}
		if got.WaitingSeconds < 300 || got.WaitingSeconds > 3600 {
			t.Errorf("waiting %d s, want about 300", got.WaitingSeconds)
		}

		again := push(t, f.writer, body, http.StatusOK)
		if again.Created || again.Item.ID != first.Item.ID {
			t.Errorf("second push: %+v, want the stored item %d", again, first.Item.ID)
		}
		if n := countPosts(inboxList(t, f.writer, "?status=all&limit=200"), first.Item.ID); n != 1 {
			t.Errorf("the post is in the Inbox %d times", n)
		}

		plain := push(t, f.writer, f.post("Lovely weather today", time.Minute), http.StatusCreated)
		if plain.Inbox != nil || plain.Item.ID == 0 || !slices.Contains(plain.ContactIDs, f.contact.ID) {
			t.Errorf("unmatched post: %+v", plain)
		}
		if n := countPosts(inboxList(t, f.writer, "?status=all&limit=200"), plain.Item.ID); n != 0 {
			t.Error("a post matching no term opened an Inbox item")
		}
		excluded := push(t, f.writer, f.post("Please ignore me "+f.term+" thanks", time.Minute), http.StatusCreated)
		if excluded.Inbox != nil {
			t.Error("a post with an exclusion opened an Inbox item")
		}

		// A post by someone who is no contact still reaches the Inbox.
		stranger := f.post("Where is my "+f.term+"?", time.Minute)
		stranger["handle"] = "@" + apptest.Unique("stranger") + "@example.social"
		if res := push(t, f.writer, stranger, http.StatusCreated); res.Inbox == nil || res.Inbox.Contact != nil || len(res.ContactIDs) != 0 {
			t.Errorf("stranger's post: %+v", res)
		}
	})
}

func countPosts(page apiInboxPage, postID int64) int {
	n := 0
	for _, it := range page.Items {
		if it.Post.ID == postID {
			n++
		}
	}
	return n
}

func TestSocialPushValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		f := newSocialFixture(t, db, "Support")
		for _, tc := range []struct {
			name   string
			change func(map[string]any)
			field  string
		}{
			{"no network", func(b map[string]any) { delete(b, "network") }, "network"},
			{"no external id", func(b map[string]any) { b["external_id"] = " " }, "external_id"},
			{"no text", func(b map[string]any) { delete(b, "text") }, "text"},
			{"no author", func(b map[string]any) { delete(b, "handle") }, "handle"},
			{"text too long", func(b map[string]any) { b["text"] = strings.Repeat("é", 10001) }, "text"},
			{"unknown field", func(b map[string]any) { b["txt"] = "typo" }, "txt"},
		} {
			b := f.post("a post about "+f.term, time.Minute)
			tc.change(b)
			p := problem(t, f.writer.JSON(http.MethodPost, "/api/v1/social/items", b), http.StatusUnprocessableEntity)
			if p.Errors[tc.field] == "" {
				t.Errorf("%s: errors %v, want one for %s", tc.name, p.Errors, tc.field)
			}
		}
		// The profile URL alone names the author.
		b := f.post("by profile url", time.Minute)
		delete(b, "handle")
		b["profile_url"] = f.contact.SocialProfiles[0].URL
		if res := push(t, f.writer, b, http.StatusCreated); !slices.Contains(res.ContactIDs, f.contact.ID) {
			t.Errorf("matched by profile URL to %v, want %d", res.ContactIDs, f.contact.ID)
		}
		viewer, _ := apiClient(t, f.srv, "bearer", models.RoleViewer, "Support")
		problem(t, viewer.JSON(http.MethodPost, "/api/v1/social/items", f.post("x "+f.term, 0)), http.StatusForbidden)
		// A body past the server's limit is refused before it is read.
		huge := f.post(strings.Repeat("x", int(f.srv.Config.MaxBodyBytes)+1), 0)
		problem(t, f.writer.JSON(http.MethodPost, "/api/v1/social/items", huge), http.StatusRequestEntityTooLarge)
	})
}

// Assign, reply and the response time; a stale version is a 409 with the
// item as it is; viewers may read but not change.
func TestInboxAssignReply(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		for _, mode := range authModes {
			t.Run(mode, func(t *testing.T) {
				f := newSocialFixture(t, db, "Support")
				res := push(t, f.writer, f.post("My "+f.term+" never came", 10*time.Minute), http.StatusCreated)
				if res.Inbox == nil {
					t.Fatal("no Inbox item")
				}
				c, u := apiClient(t, f.srv, mode, models.RoleMember, "Support")
				path := fmt.Sprintf("/api/v1/inbox/%d", res.Inbox.ID)
				r := c.JSON(http.MethodPatch, path, map[string]any{"version": res.Inbox.Version, "assignee_user_id": u.ID})
				if r.Status != http.StatusOK {
					t.Fatalf("assign: %d %s", r.Status, r.Body)
				}
				var assigned apiInboxItem
				r.Decode(t, &assigned)
				if assigned.AssigneeUser == nil || assigned.AssigneeUser.ID != u.ID || assigned.Version <= res.Inbox.Version {
					t.Fatalf("assigned: %+v", assigned)
				}
				if findInbox(inboxList(t, c, "?assignee=me"), assigned.ID) == nil {
					t.Error("assigned item not in assignee=me")
				}

				stale := problem(t, c.JSON(http.MethodPatch, path, map[string]any{"version": res.Inbox.Version, "status": "closed"}), http.StatusConflict)
				if cur, ok := stale.Current.(map[string]any); !ok || cur["version"] != float64(assigned.Version) {
					t.Errorf("conflict current: %+v", stale.Current)
				}

				viewer, _ := apiClient(t, f.srv, mode, models.RoleViewer, "Support")
				problem(t, viewer.JSON(http.MethodPost, path+"/replies", map[string]any{"version": assigned.Version, "text": "hi"}), http.StatusForbidden)
				if r := viewer.JSON(http.MethodGet, path, nil); r.Status != http.StatusOK {
					t.Errorf("viewer reads item: %d", r.Status)
				}

				problem(t, c.JSON(http.MethodPost, path+"/replies", map[string]any{"version": assigned.Version}), http.StatusUnprocessableEntity)
				r = c.JSON(http.MethodPost, path+"/replies", map[string]any{"version": assigned.Version,
					"text": "Sorry! Sent you a DM.", "url": "https://mastodon.social/statuses/reply-1"})
				if r.Status != http.StatusCreated {
					t.Fatalf("reply: %d %s", r.Status, r.Body)
				}
				var replied apiInboxItem
				r.Decode(t, &replied)
				if replied.Status != "replied" || replied.Reply == nil || replied.Reply.InteractionID == nil ||
					replied.Reply.URL != "https://mastodon.social/statuses/reply-1" {
					t.Fatalf("replied: %+v", replied)
				}
				if replied.ResponseSeconds == nil || *replied.ResponseSeconds < 600 || *replied.ResponseSeconds > 900 {
					t.Errorf("response time %v, want about 600 s", replied.ResponseSeconds)
				}
				if findInbox(inboxList(t, c, "?status=open"), replied.ID) != nil {
					t.Error("replied item still open")
				}
				if findInbox(inboxList(t, c, "?status=replied"), replied.ID) == nil {
					t.Error("replied item not under status=replied")
				}
				// The reply is an outbound message on the contact's timeline.
				ir := c.JSON(http.MethodGet, fmt.Sprintf("/api/v1/interactions/%d", *replied.Reply.InteractionID), nil)
				if ir.Status != http.StatusOK || !strings.Contains(ir.Body, "Sorry! Sent you a DM.") || !strings.Contains(ir.Body, `"outbound"`) {
					t.Errorf("reply interaction: %d %.600s", ir.Status, ir.Body)
				}
			})
		}
	})
}

func TestInboxPatchValidationAndClose(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		f := newSocialFixture(t, db, "Support")
		res := push(t, f.writer, f.post("A "+f.term+" question", time.Minute), http.StatusCreated)
		path := fmt.Sprintf("/api/v1/inbox/%d", res.Inbox.ID)
		for _, body := range []map[string]any{
			{"status": "closed"},
			{"version": res.Inbox.Version},
			{"version": res.Inbox.Version, "status": "replied"},
			{"version": res.Inbox.Version, "status": "closed", "assignee_user_id": f.user.ID},
			{"version": res.Inbox.Version, "close_reason": "spam"},
			{"version": res.Inbox.Version, "matched_terms": []string{"x"}, "status": "closed"},
		} {
			problem(t, f.writer.JSON(http.MethodPatch, path, body), http.StatusUnprocessableEntity)
		}
		r := f.writer.JSON(http.MethodPatch, path, map[string]any{"version": res.Inbox.Version, "status": "closed", "close_reason": "Just a fan"})
		if r.Status != http.StatusOK {
			t.Fatalf("close: %d %s", r.Status, r.Body)
		}
		var closed apiInboxItem
		r.Decode(t, &closed)
		if closed.Status != "closed" || closed.CloseReason != "Just a fan" {
			t.Errorf("closed: %+v", closed)
		}
		if findInbox(inboxList(t, f.writer, "?status=closed"), closed.ID) == nil {
			t.Error("not under status=closed")
		}
		problem(t, f.writer.JSON(http.MethodGet, "/api/v1/inbox?status=pending", nil), http.StatusUnprocessableEntity)
		problem(t, f.writer.JSON(http.MethodGet, "/api/v1/inbox/999999999", nil), http.StatusNotFound)
	})
}

// An Inbox item about a contact restricted to a department is invisible
// to everyone else: 404 by id, absent from lists and pages.
func TestInboxRestrictedContact(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		dept := apptest.Unique("Private")
		f := newSocialFixture(t, db, dept)
		name := apptest.Unique("vip")
		vip, err := db.CreateContact(ctx, f.user.Actor("token"), models.ContactRequest{GivenName: "Vip", FamilyName: apptest.Unique("Restricted"),
			RestrictedDepartmentID: &f.user.Departments[0].ID, SocialProfiles: []models.SocialProfileInput{{URL: "https://mastodon.social/@" + name}}})
		if err != nil {
			t.Fatal(err)
		}
		body := f.post("Secret "+f.term+" trouble", time.Minute)
		body["handle"] = vip.SocialProfiles[0].Handle
		res := push(t, f.writer, body, http.StatusCreated)
		if res.Inbox == nil || res.Inbox.Contact == nil || res.Inbox.Contact.ID != vip.ID {
			t.Fatalf("push: %+v", res)
		}
		other, _ := apiClient(t, f.srv, "bearer", models.RoleAdmin, apptest.Unique("Elsewhere"))
		problem(t, other.JSON(http.MethodGet, fmt.Sprintf("/api/v1/inbox/%d", res.Inbox.ID), nil), http.StatusNotFound)
		if findInbox(inboxList(t, other, "?status=all&limit=200"), res.Inbox.ID) != nil {
			t.Error("restricted item listed to another department")
		}
		problem(t, other.JSON(http.MethodPatch, fmt.Sprintf("/api/v1/inbox/%d", res.Inbox.ID),
			map[string]any{"version": res.Inbox.Version, "status": "closed"}), http.StatusNotFound)
		ui, _ := f.srv.SignedIn(t, models.RoleMember, apptest.Unique("Elsewhere"))
		if page := ui.Get("/inbox"); page.Status != http.StatusOK || strings.Contains(page.Body, "Secret "+f.term) {
			t.Errorf("restricted item on another department's Inbox page: %d", page.Status)
		}
		if findInbox(inboxList(t, f.writer, "?status=all&limit=200"), res.Inbox.ID) == nil {
			t.Error("the department's own member does not see it")
		}
	})
}

func TestWatchTermsAdminOnly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		admin, _ := apiClient(t, srv, "bearer", models.RoleAdmin, "Support")
		member, _ := apiClient(t, srv, "bearer", models.RoleMember, "Support")
		term := apptest.Unique("outage")
		problem(t, member.JSON(http.MethodPost, "/api/v1/watch-terms", map[string]any{"term": term}), http.StatusForbidden)
		r := admin.JSON(http.MethodPost, "/api/v1/watch-terms", map[string]any{"term": term, "exclude": []string{"planned " + term}})
		if r.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		var created struct {
			ID      int64    `json:"id"`
			Term    string   `json:"term"`
			Exclude []string `json:"exclude"`
		}
		r.Decode(t, &created)
		if created.Term != term || !slices.Equal(created.Exclude, []string{"planned " + term}) {
			t.Errorf("created %+v", created)
		}
		problem(t, admin.JSON(http.MethodPost, "/api/v1/watch-terms", map[string]any{"term": strings.ToUpper(term)}), http.StatusUnprocessableEntity)
		problem(t, admin.JSON(http.MethodPost, "/api/v1/watch-terms", map[string]any{"term": " "}), http.StatusUnprocessableEntity)
		list := member.JSON(http.MethodGet, "/api/v1/watch-terms", nil)
		if list.Status != http.StatusOK || !strings.Contains(list.Body, `"`+term+`"`) {
			t.Fatalf("member lists terms: %d %.300s", list.Status, list.Body)
		}
		path := fmt.Sprintf("/api/v1/watch-terms/%d", created.ID)
		problem(t, member.JSON(http.MethodDelete, path, nil), http.StatusForbidden)
		if r := admin.JSON(http.MethodDelete, path, nil); r.Status != http.StatusNoContent {
			t.Fatalf("delete: %d %s", r.Status, r.Body)
		}
		if list := member.JSON(http.MethodGet, "/api/v1/watch-terms", nil); strings.Contains(list.Body, `"`+term+`"`) {
			t.Error("deleted term still listed")
		}
		problem(t, admin.JSON(http.MethodDelete, path, nil), http.StatusNotFound)
	})
}

// The listening numbers count what happened in the window, per day, per
// term and per replying department.
func TestListeningStats(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		f := newSocialFixture(t, db, "Care")
		for i := range 3 {
			push(t, f.writer, f.post(fmt.Sprintf("%s number %d", f.term, i), time.Duration(i+1)*time.Minute), http.StatusCreated)
		}
		push(t, f.writer, f.post("nothing to see", time.Minute), http.StatusCreated)
		page := inboxList(t, f.writer, "")
		if len(page.Items) != 3 {
			t.Fatalf("%d open items, want 3", len(page.Items))
		}
		oldest := page.Items[0]
		r := f.writer.JSON(http.MethodPost, fmt.Sprintf("/api/v1/inbox/%d/replies", oldest.ID), map[string]any{"version": oldest.Version, "text": "On it"})
		if r.Status != http.StatusCreated {
			t.Fatalf("reply: %d %s", r.Status, r.Body)
		}
		var st struct {
			Days []struct {
				Day        string `json:"day"`
				Items      int64  `json:"items"`
				InboxItems int64  `json:"inbox_items"`
				Replied    int64  `json:"replied"`
			} `json:"days"`
			Terms []struct {
				Term  string
				Count int64
			} `json:"terms"`
			Departments []struct {
				Name          string
				MedianSeconds []*int64 `json:"median_seconds"`
			} `json:"departments"`
			MedianSeconds *int64 `json:"median_seconds"`
			OpenCount     int64  `json:"open_count"`
		}
		today := time.Now().UTC().Format(time.DateOnly)
		from := time.Now().UTC().AddDate(0, 0, -6).Format(time.DateOnly)
		r = f.writer.JSON(http.MethodGet, "/api/v1/listening/stats?from="+from+"&to="+today, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("stats: %d %s", r.Status, r.Body)
		}
		r.Decode(t, &st)
		var items, inbox, replied int64
		for _, d := range st.Days {
			items, inbox, replied = items+d.Items, inbox+d.InboxItems, replied+d.Replied
		}
		if len(st.Days) != 7 || items != 4 || inbox != 3 || replied != 1 || st.OpenCount != 2 {
			t.Errorf("days %d, items %d, inbox %d, replied %d, open %d; want 7, 4, 3, 1, 2", len(st.Days), items, inbox, replied, st.OpenCount)
		}
		if len(st.Terms) != 1 || st.Terms[0].Term != f.term || st.Terms[0].Count != 3 {
			t.Errorf("terms %+v", st.Terms)
		}
		if len(st.Departments) != 1 || st.Departments[0].Name != "Care" || st.MedianSeconds == nil || *st.MedianSeconds < 180 {
			t.Errorf("departments %+v, median %v", st.Departments, st.MedianSeconds)
		}
		for _, q := range []string{"?from=yesterday", "?from=2020-01-01&to=2026-01-01", "?from=" + today + "&to=" + from, "?days=7"} {
			problem(t, f.writer.JSON(http.MethodGet, "/api/v1/listening/stats"+q, nil), http.StatusUnprocessableEntity)
		}
	})
}

// A push of a post stored before answers the stored post only to someone
// who may see it: the security review's case, where bob of Support pushes
// the id of a post that is only on a contact restricted to Sales. He gets
// created false and nothing of the post, and the post stays as it was.
func TestSocialPushOfHiddenPostWithholdsIt(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		sales := apptest.Unique("Sales")
		f := newSocialFixture(t, db, sales)
		site := "https://" + apptest.Unique("vip") + ".example/"
		vip, err := db.CreateContact(ctx, f.user.Actor("token"), models.ContactRequest{GivenName: "Vip", FamilyName: apptest.Unique("Hidden"),
			RestrictedDepartmentID: &f.user.Departments[0].ID, SocialProfiles: []models.SocialProfileInput{{URL: site}}})
		if err != nil {
			t.Fatal(err)
		}
		externalID := apptest.Unique("post-")
		secret := apptest.Unique("our secret launch date is")
		first := push(t, f.writer, map[string]any{"network": "website", "external_id": externalID, "profile_url": site, "text": secret},
			http.StatusCreated)
		if !slices.Equal(first.ContactIDs, []int64{vip.ID}) {
			t.Fatalf("alice's push: %+v", first)
		}

		bob, _ := apiClient(t, f.srv, "bearer", models.RoleMember, apptest.Unique("Support"))
		r := bob.JSON(http.MethodPost, "/api/v1/social/items", map[string]any{"network": "website", "external_id": externalID,
			"profile_url": "https://x.invalid/", "text": "probe"})
		if r.Status != http.StatusOK {
			t.Fatalf("bob's push: %d %.500s", r.Status, r.Body)
		}
		if strings.Contains(r.Body, secret) || strings.Contains(r.Body, site) || strings.Contains(r.Body, "probe") {
			t.Errorf("bob's push answers the hidden post: %s", r.Body)
		}
		var got struct {
			Item struct {
				ID         int64  `json:"id"`
				Network    string `json:"network"`
				ExternalID string `json:"external_id"`
				Text       string `json:"text"`
				ProfileURL string `json:"profile_url"`
			} `json:"item"`
			Created    bool          `json:"created"`
			ContactIDs []int64       `json:"contact_ids"`
			Inbox      *apiInboxItem `json:"inbox"`
		}
		r.Decode(t, &got)
		if got.Created || got.Item.ID != 0 || got.Item.Network != "website" || got.Item.ExternalID != externalID ||
			got.Item.Text != "" || got.Item.ProfileURL != "" || got.ContactIDs == nil || len(got.ContactIDs) != 0 || got.Inbox != nil {
			t.Errorf("bob's push: %s", r.Body)
		}

		stored, err := db.SocialItem(ctx, f.user.Actor("token"), first.Item.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.Text != secret || stored.ProfileURL != site {
			t.Errorf("bob's push changed alice's post: text %q, profile %q", stored.Text, stored.ProfileURL)
		}
		again := push(t, f.writer, map[string]any{"network": "website", "external_id": externalID, "profile_url": site, "text": secret},
			http.StatusOK)
		if again.Created || again.Item.ID != first.Item.ID || again.Item.Text != secret || !slices.Equal(again.ContactIDs, []int64{vip.ID}) {
			t.Errorf("alice's repeat: %+v, want her stored post", again)
		}
	})
}
