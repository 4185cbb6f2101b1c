package app_test

import (
	"context"
	"fmt"
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

// The merge page shows both contacts' key facts and keeps both unless the
// person picks one; undo gives each contact its own back.
func TestMergeKeyFactsInTheUI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		c, u := srv.SignedIn(t, models.RoleMember, "Billing")
		ctx, a := context.Background(), u.Actor("session")
		pair := func(facts ...string) [2]*models.Contact {
			var out [2]*models.Contact
			for i, f := range facts {
				ct, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Kim", FamilyName: apptest.Unique("Facts")})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.SaveKeyFacts(ctx, a, ct.ID, f, 0); err != nil {
					t.Fatal(err)
				}
				out[i] = ct
			}
			return out
		}
		mergeForm := func(p [2]*models.Contact, take string) url.Values {
			page := c.Get(fmt.Sprintf("/contacts/merge?a=%d&b=%d", p[0].ID, p[1].ID))
			if page.Status != http.StatusOK || !strings.Contains(page.Body, "Keep both, the kept contact's first") {
				t.Fatalf("the merge page offers no choice of key facts: %d", page.Status)
			}
			return url.Values{"a": {fmt.Sprint(p[0].ID)}, "b": {fmt.Sprint(p[1].ID)}, "a_version": {fmt.Sprint(p[0].Version)},
				"b_version": {fmt.Sprint(p[1].Version)}, "keep": {"a"}, "take_key_facts": {take}}
		}

		both := pair("Prefers email.", "Disputed invoice 1042.")
		if r := c.PostForm("/contacts/merge", mergeForm(both, "both")); r.Status != http.StatusSeeOther {
			t.Fatalf("merge: %d %s", r.Status, r.Body)
		}
		page := c.Get(fmt.Sprintf("/contacts/%d", both[0].ID))
		kf := page.Body[strings.Index(page.Body, `id="key-facts"`):]
		kf = kf[:strings.Index(kf, "</section>")]
		if !strings.Contains(kf, "Prefers email.") || !strings.Contains(kf, "Disputed invoice 1042.") {
			t.Fatalf("the kept contact's key facts lost one side: %s", kf)
		}
		undo := regexp.MustCompile(`action="(/contacts/merges/\d+/undo)"`).FindStringSubmatch(page.Body)
		if r := c.PostForm(undo[1], nil); r.Status != http.StatusSeeOther {
			t.Fatalf("undo: %d", r.Status)
		}
		for i, want := range []string{"Prefers email.", "Disputed invoice 1042."} {
			got, err := db.KeyFacts(ctx, a, both[i].ID)
			if err != nil || got.Body != want {
				t.Errorf("after undo contact %d has key facts %q (%v), want %q", i, got.Body, err, want)
			}
		}

		theirs := pair("Old number.", "Call the new number.")
		if r := c.PostForm("/contacts/merge", mergeForm(theirs, "b")); r.Status != http.StatusSeeOther {
			t.Fatalf("merge: %d", r.Status)
		}
		if got, _ := db.KeyFacts(ctx, a, theirs[0].ID); got.Body != "Call the new number." {
			t.Errorf("the chosen key facts were not kept: %q", got.Body)
		}
	})
}
