package app_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

func TestDuplicateBannerMergeAndUndoInTheUI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		c, _ := srv.SignedIn(t, models.RoleMember, "Sales")
		email := apptest.Unique("twin") + "@example.com"
		first := createContactUI(t, c, url.Values{"given_name": {"Pat"}, "family_name": {"Twin"}, "job_title": {"Buyer"},
			"email_address": {email}, "email_primary": {"0"}})
		second := createContactUI(t, c, url.Values{"given_name": {"Patricia"}, "family_name": {"Twin"}, "job_title": {"CFO"},
			"email_address": {strings.ToUpper(email)}, "phone_number": {"+33 1 42 68 53 00"}})

		page := c.Get(first)
		if !strings.Contains(page.Body, "This may be the same person as") || !strings.Contains(page.Body, "Patricia Twin") {
			t.Fatalf("no duplicate banner on the contact page")
		}
		if r := c.Get("/contacts/duplicates"); !strings.Contains(r.Body, "Patricia Twin") {
			t.Error("the duplicates page does not list the pair")
		}
		m := regexp.MustCompile(`href="(/contacts/merge\?a=\d+&amp;b=\d+)"`).FindStringSubmatch(page.Body)
		if m == nil {
			t.Fatal("no compare link")
		}
		form := c.Get(strings.ReplaceAll(m[1], "&amp;", "&"))
		if form.Status != http.StatusOK || !strings.Contains(form.Body, "Buyer") || !strings.Contains(form.Body, "CFO") {
			t.Fatalf("compare page: %d", form.Status)
		}
		ids := regexp.MustCompile(`name="(a|b|a_version|b_version)" value="(\d+)"`).FindAllStringSubmatch(form.Body, -1)
		vals := url.Values{"keep": {"a"}, "take_job_title": {"b"}}
		for _, id := range ids {
			vals.Set(id[1], id[2])
		}
		r := c.PostForm("/contacts/merge", vals)
		if r.Status != http.StatusSeeOther || r.Location() != first {
			t.Fatalf("merge: %d %q", r.Status, r.Location())
		}
		merged := c.Get(first)
		if !strings.Contains(merged.Body, "CFO") || !strings.Contains(merged.Body, "+33 1 42 68 53 00") || !strings.Contains(merged.Body, "Undo merge") {
			t.Fatalf("merged contact should show the chosen title, the other's phone and an undo button: CFO=%v phone=%v undo=%v",
				strings.Contains(merged.Body, "CFO"), strings.Contains(merged.Body, "+33 1 42 68 53 00"), strings.Contains(merged.Body, "Undo merge"))
		}
		if r := c.Get(second); r.Status != http.StatusNotFound {
			t.Fatalf("merged-away contact still opens: %d", r.Status)
		}
		undo := regexp.MustCompile(`action="(/contacts/merges/\d+/undo)"`).FindStringSubmatch(merged.Body)
		if r := c.PostForm(undo[1], nil); r.Status != http.StatusSeeOther {
			t.Fatalf("undo: %d", r.Status)
		}
		if r := c.Get(second); r.Status != http.StatusOK || !strings.Contains(r.Body, "CFO") {
			t.Fatalf("undo did not bring the other contact back: %d", r.Status)
		}
		if r := c.Get(first); !strings.Contains(r.Body, "Buyer") {
			t.Fatal("undo did not restore the kept contact's title")
		}
	})
}
