package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

type noteJSON struct {
	ID         int64  `json:"id"`
	Version    int64  `json:"version"`
	Body       string `json:"body"`
	Visibility string `json:"visibility"`
	Open       bool   `json:"open"`
}

func createNoteAPI(t *testing.T, c *apptest.Client, contact string, body map[string]any) noteJSON {
	t.Helper()
	r := c.JSON(http.MethodPost, "/api/v1"+contact+"/notes", body)
	if r.Status != http.StatusCreated {
		t.Fatalf("create note: %d %s", r.Status, r.Body)
	}
	var n noteJSON
	r.Decode(t, &n)
	return n
}

// The flow: two people in different departments edit the same
// note at once; the second gets the conflict with both versions and a
// diff, merges and saves, and the history shows both revisions.
func TestNoteEditConflictIsMergedNotLost(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		dana, _ := srv.SignedIn(t, models.RoleMember, "Support")
		sam, _ := srv.SignedIn(t, models.RoleMember, "Billing")
		loc := createContactUI(t, dana, url.Values{"given_name": {"Ada"}, "family_name": {apptest.Unique("Lovelace")}})
		n := createNoteAPI(t, dana, loc, map[string]any{"body": "Renewal in May.\nPrefers email."})
		note := fmt.Sprintf("/notes/%d", n.ID)

		danaForm, samForm := dana.Get(note+"/edit"), sam.Get(note+"/edit")
		v1 := versionField.FindStringSubmatch(danaForm.Body)
		if v1 == nil || !strings.Contains(samForm.Body, `name="version" value="`+v1[1]+`"`) {
			t.Fatalf("both should edit version 1: %.500s", danaForm.Body)
		}
		if r := dana.PostForm(note, url.Values{"version": {v1[1]}, "body": {"Renewal in June.\nPrefers email."}}); r.Status != http.StatusSeeOther {
			t.Fatalf("first save: %d %.500s", r.Status, r.Body)
		}
		r := sam.PostForm(note, url.Values{"version": {v1[1]}, "body": {"Renewal in May.\nPrefers phone."}})
		if r.Status != http.StatusConflict || !strings.Contains(r.Body, "saved this note while you were editing") ||
			!strings.Contains(r.Body, "Renewal in June.") || !strings.Contains(r.Body, "Prefers phone.") ||
			!strings.Contains(r.Body, `class="diff-line diff-insert"`) || !strings.Contains(r.Body, `class="diff-line diff-delete"`) {
			t.Fatalf("stale save should show the conflict: %d %.3000s", r.Status, r.Body)
		}
		v2 := versionField.FindStringSubmatch(r.Body)
		if v2 == nil || v2[1] != "2" {
			t.Fatalf("the conflict form should carry the current version: %v", v2)
		}
		// The API refuses the same stale save with the current note.
		api := sam.JSON(http.MethodPatch, "/api/v1"+note, map[string]any{"version": 1, "body": "x"})
		var problem struct {
			Current noteJSON `json:"current"`
		}
		api.Decode(t, &problem)
		if api.Status != http.StatusConflict || problem.Current.Version != 2 || !strings.Contains(problem.Current.Body, "June") {
			t.Fatalf("API stale save: %d %s", api.Status, api.Body)
		}
		merged := "Renewal in June.\nPrefers phone."
		if r := sam.PostForm(note, url.Values{"version": {v2[1]}, "body": {merged}}); r.Status != http.StatusSeeOther {
			t.Fatalf("merged save: %d %.500s", r.Status, r.Body)
		}
		revs := dana.JSON(http.MethodGet, "/api/v1"+note+"/revisions", nil)
		var rl struct {
			Items []struct {
				Version        int64  `json:"version"`
				DepartmentName string `json:"department_name"`
			} `json:"items"`
		}
		revs.Decode(t, &rl)
		if len(rl.Items) != 3 || rl.Items[0].DepartmentName != "Billing" || rl.Items[1].DepartmentName != "Support" {
			t.Fatalf("history: %s", revs.Body)
		}
		hist := dana.Get(note + "/history")
		if hist.Status != http.StatusOK || !strings.Contains(hist.Body, "Billing") || !strings.Contains(hist.Body, "Support") ||
			!strings.Contains(hist.Body, "Restore this version") {
			t.Fatalf("history page: %d %.2000s", hist.Status, hist.Body)
		}
		if page := dana.Get(loc); !strings.Contains(page.Body, "Prefers phone.") {
			t.Fatal("the merged note should be on the contact page")
		}
	})
}

func TestRestrictedNoteIsInvisibleToOtherDepartments(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		billing, _ := srv.SignedIn(t, models.RoleMember, "Billing")
		support, supportUser := srv.SignedIn(t, models.RoleMember, "Support")
		loc := createContactUI(t, billing, url.Values{"given_name": {"Grace"}, "family_name": {apptest.Unique("Hopper")}})
		word := apptest.Unique("overdueinvoice")
		handle := models.UserHandle(supportUser.Email)
		n := createNoteAPI(t, billing, loc, map[string]any{"body": word + " — @" + handle, "visibility": "department"})
		if n.Visibility != "department" {
			t.Fatalf("visibility %q", n.Visibility)
		}
		if page := billing.Get(loc); !strings.Contains(page.Body, word) || !strings.Contains(page.Body, "Billing only") {
			t.Fatal("the author's department should see the note with its badge")
		}
		if page := support.Get(loc); page.Status != http.StatusOK || strings.Contains(page.Body, word) {
			t.Fatal("another department must not see a restricted note on the contact page")
		}
		if r := support.Get("/notes/search?q=" + word); strings.Contains(r.Body, word+" ") || strings.Contains(r.Body, "Billing only") {
			t.Fatalf("search shows a restricted note: %.1500s", r.Body)
		}
		if r := billing.Get("/notes/search?q=" + word); !strings.Contains(r.Body, "Grace") {
			t.Fatalf("search should find the note for its department, with the contact: %.1500s", r.Body)
		}
		if r := support.JSON(http.MethodGet, "/api/v1"+loc+"/notes", nil); r.Status != http.StatusOK || strings.Contains(r.Body, word) {
			t.Fatalf("API list: %d %s", r.Status, r.Body)
		}
		if r := support.JSON(http.MethodGet, fmt.Sprintf("/api/v1/notes/%d", n.ID), nil); r.Status != http.StatusNotFound {
			t.Fatalf("API by id: %d", r.Status)
		}
		if r := support.Get(fmt.Sprintf("/notes/%d/history", n.ID)); r.Status != http.StatusNotFound {
			t.Fatalf("history page: %d", r.Status)
		}
		// Mentioned, but may not see it: no notification anywhere.
		if r := support.JSON(http.MethodGet, "/api/v1/notifications", nil); strings.Contains(r.Body, word) || !strings.Contains(r.Body, `"items":[]`) {
			t.Fatalf("notifications API: %s", r.Body)
		}
		if r := support.Get("/notifications"); strings.Contains(r.Body, word) {
			t.Fatal("notifications page shows a restricted note")
		}
	})
}

func TestNoteBodyIsSafeAndBounded(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		c, _ := srv.SignedIn(t, models.RoleMember, "Sales")
		loc := createContactUI(t, c, url.Values{"given_name": {"Xss"}, "family_name": {apptest.Unique("Probe")}})
		payload := "**bold** [click](javascript:alert(3))\n\n<script>alert(1)</script>\n\ntext <img src=x onerror=alert(2)>"
		c.Get(loc)
		if r := c.PostForm(loc+"/notes", url.Values{"body": {payload}}); r.Status != http.StatusSeeOther {
			t.Fatalf("create: %d %.500s", r.Status, r.Body)
		}
		page := c.Get(loc)
		// The timeline shows the text escaped, which is harmless; no live tag
		// or attribute may come through.
		for _, bad := range []string{"<script>alert(1)", "<img src=x", `href="javascript:`} {
			if strings.Contains(page.Body, bad) {
				t.Errorf("page contains %q", bad)
			}
		}
		if !strings.Contains(page.Body, "<strong>bold</strong>") {
			t.Error("Markdown should render")
		}
		long := strings.Repeat("a", models.MaxNoteBody+1)
		r := c.PostForm(loc+"/notes", url.Values{"body": {long}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "split it into several notes") {
			t.Fatalf("too long: %d %.500s", r.Status, r.Body)
		}
		api := c.JSON(http.MethodPost, "/api/v1"+loc+"/notes", map[string]any{"body": long})
		if api.Status != http.StatusUnprocessableEntity || !strings.Contains(api.Body, "split it into several notes") {
			t.Fatalf("API too long: %d %.300s", api.Status, api.Body)
		}
		if api := c.JSON(http.MethodPost, "/api/v1"+loc+"/notes", map[string]any{"body": "x", "visibilty": "everyone"}); api.Status != http.StatusUnprocessableEntity {
			t.Fatalf("unknown member: %d", api.Status)
		}
	})
}

func TestMentionNotifiesAndReplyAnswers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		ann, _ := srv.SignedIn(t, models.RoleMember, "Sales")
		bob, bobUser := srv.SignedIn(t, models.RoleMember, "Support")
		loc := createContactUI(t, ann, url.Values{"given_name": {"Linus"}, "family_name": {apptest.Unique("T")}})
		n := createNoteAPI(t, ann, loc, map[string]any{"body": "Can you check the ticket, @" + models.UserHandle(bobUser.Email) + "?", "needs_reply": true})
		if !n.Open {
			t.Fatal("a note that needs a reply starts open")
		}
		r := bob.JSON(http.MethodGet, "/api/v1/notifications?unread=true", nil)
		if !strings.Contains(r.Body, `"kind":"mention"`) || !strings.Contains(r.Body, "check the ticket") {
			t.Fatalf("mention not notified: %s", r.Body)
		}
		if page := bob.Get("/notifications?tab=mentions"); !strings.Contains(page.Body, "mentioned you") || !strings.Contains(page.Body, "Mark as read") {
			t.Fatalf("mentions tab: %.1500s", page.Body)
		}
		if page := ann.Get(loc); !strings.Contains(page.Body, "Needs reply") {
			t.Fatal("the open note should say it needs a reply")
		}
		bob.Get(loc)
		if r := bob.PostForm(fmt.Sprintf("/notes/%d/replies", n.ID), url.Values{"body": {"Done, all fixed."}}); r.Status != http.StatusSeeOther {
			t.Fatalf("reply: %d %.500s", r.Status, r.Body)
		}
		var got noteJSON
		ann.JSON(http.MethodGet, fmt.Sprintf("/api/v1/notes/%d", n.ID), nil).Decode(t, &got)
		if got.Open {
			t.Fatal("a reply from someone else answers the note")
		}
		if page := ann.Get(loc); !strings.Contains(page.Body, "Done, all fixed.") || !strings.Contains(page.Body, "Answered") {
			t.Fatal("the thread and the answered badge should show")
		}
		if r := ann.JSON(http.MethodGet, "/api/v1/notifications", nil); !strings.Contains(r.Body, `"kind":"reply"`) {
			t.Fatalf("the author should be told of the reply: %s", r.Body)
		}
		if r := bob.JSON(http.MethodPost, "/api/v1/notifications/read", map[string]any{}); r.Status != http.StatusNoContent {
			t.Fatalf("mark read: %d", r.Status)
		}
		if r := bob.JSON(http.MethodGet, "/api/v1/notifications?unread=true", nil); !strings.Contains(r.Body, `"items":[]`) {
			t.Fatalf("all read: %s", r.Body)
		}
	})
}

func TestKeyFactsConflict(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		dana, _ := srv.SignedIn(t, models.RoleMember, "Support")
		sam, _ := srv.SignedIn(t, models.RoleMember, "Billing")
		loc := createContactUI(t, dana, url.Values{"given_name": {"Key"}, "family_name": {apptest.Unique("Facts")}})
		form := dana.Get(loc + "/key-facts/edit")
		if v := versionField.FindStringSubmatch(form.Body); v == nil || v[1] != "0" {
			t.Fatalf("new key facts edit version 0: %.500s", form.Body)
		}
		if r := dana.PostForm(loc+"/key-facts", url.Values{"version": {"0"}, "body": {"Decision maker for EMEA"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("save: %d %.500s", r.Status, r.Body)
		}
		sam.Get(loc)
		r := sam.PostForm(loc+"/key-facts", url.Values{"version": {"0"}, "body": {"Never call before 10"}})
		if r.Status != http.StatusConflict || !strings.Contains(r.Body, "Decision maker for EMEA") ||
			!strings.Contains(r.Body, "Never call before 10") || !strings.Contains(r.Body, `name="version" value="1"`) {
			t.Fatalf("key facts conflict: %d %.2000s", r.Status, r.Body)
		}
		api := sam.JSON(http.MethodPut, "/api/v1"+loc+"/key-facts", map[string]any{"version": 0, "body": "x"})
		if api.Status != http.StatusConflict || !strings.Contains(api.Body, "EMEA") {
			t.Fatalf("API conflict: %d %s", api.Status, api.Body)
		}
		if r := sam.PostForm(loc+"/key-facts", url.Values{"version": {"1"}, "body": {"Decision maker for EMEA\nNever call before 10"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("merged save: %d", r.Status)
		}
		if page := dana.Get(loc); !strings.Contains(page.Body, "Never call before 10") || !strings.Contains(page.Body, "Key facts") {
			t.Fatal("merged key facts should show on the contact page")
		}
		if h := dana.Get(loc + "/key-facts/history"); !strings.Contains(h.Body, "Version 2") || !strings.Contains(h.Body, "Billing") {
			t.Fatalf("history: %.1500s", h.Body)
		}
	})
}
