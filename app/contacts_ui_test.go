package app_test

import (
	"context"
	"fmt"
	"html"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

var versionField = regexp.MustCompile(`name="version" value="(\d+)"`)

func contactForm(given, family, email string) url.Values {
	return url.Values{"given_name": {given}, "family_name": {family}, "email_address": {email, ""}, "email_label": {"work", ""},
		"email_primary": {"0"}, "phone_number": {"+44 20 7946 0958", ""}, "phone_label": {"office", ""},
		"profile_url": {"https://mastodon.social/@" + apptest.Unique("user"), ""}, "tags": {"vip, Renewal"},
		"company": {"Acme Ltd"}, "job_title": {"VP Sales"}, "about": {"Prefers email.\nCall after 10."}}
}

func createContactUI(t *testing.T, c *apptest.Client, form url.Values) string {
	t.Helper()
	c.Get("/contacts/new")
	r := c.PostForm("/contacts", form)
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/contacts/") {
		t.Fatalf("create contact: %d %q %.800s", r.Status, r.Location(), r.Body)
	}
	return r.Location()
}

func TestContactCreateShowAndSearchInTheUI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		c, _ := srv.SignedIn(t, models.RoleMember, "Sales")
		family := apptest.Unique("Álvarez")
		loc := createContactUI(t, c, contactForm("José", family, apptest.Unique("jose")+"@example.com"))
		page := c.Get(loc)
		for _, want := range []string{"José " + family, "VP Sales", "Acme Ltd", "+44 20 7946 0958", "tel:+442079460958",
			"mastodon", "has a feed", "vip", "Renewal", "Prefers email.\nCall after 10."} {
			if !strings.Contains(page.Body, html.EscapeString(want)) {
				t.Errorf("contact page lacks %q", want)
			}
		}
		// Search as you type: accents and case do not matter, htmx gets the fragment.
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/contacts?q="+url.QueryEscape(strings.ToLower(strings.ReplaceAll(family, "Á", "a"))), nil)
		req.Header.Set("HX-Request", "true")
		req.Header.Set("HX-Target", "contact-results")
		r := c.Do(req)
		if r.Status != http.StatusOK || !strings.Contains(r.Body, family) || strings.Contains(r.Body, "<html") {
			t.Fatalf("search fragment: %d %.500s", r.Status, r.Body)
		}
		if r := c.Get("/contacts?q=" + url.QueryEscape("zzz-no-such-person")); !strings.Contains(r.Body, "No contacts match") {
			t.Error("an empty search should say nothing matches")
		}
		// The company exists with its people.
		m := regexp.MustCompile(`href="(/companies/\d+)"`).FindStringSubmatch(page.Body)
		if m == nil {
			t.Fatal("no company link on the contact page")
		}
		if co := c.Get(m[1]); !strings.Contains(co.Body, family) {
			t.Error("company page does not list its person")
		}
	})
}

func TestContactFormRejectsBadInputAndKeepsIt(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		c, _ := srv.SignedIn(t, models.RoleMember, "Sales")
		c.Get("/contacts/new")
		form := contactForm("Zoë", "Müller", "not-an-email")
		form.Set("phone_number", "12")
		r := c.PostForm("/contacts", form)
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "name@example.com") ||
			!strings.Contains(r.Body, `value="Zoë"`) || !strings.Contains(r.Body, `value="not-an-email"`) {
			t.Fatalf("bad email: %d %.1500s", r.Status, r.Body)
		}
		long := strings.Repeat("x", 10000)
		r = c.PostForm("/contacts", url.Values{"given_name": {long}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "characters") {
			t.Fatalf("10,000-character name: %d", r.Status)
		}
		// Nothing to know the person by: the form says what is needed.
		r = c.PostForm("/contacts", url.Values{"job_title": {"CEO"}, "phone_number": {""}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Enter a name, an email address or a phone number.") {
			t.Fatalf("no name, email or phone: %d %.1500s", r.Status, r.Body)
		}
		// A phone number alone is enough, and names the contact.
		number := "+1 415 555 0" + strconv.Itoa(100+rand.IntN(99))
		loc := createContactUI(t, c, url.Values{"phone_number": {number}, "phone_label": {"mobile"}})
		if page := c.Get(loc); !strings.Contains(page.Body, `<h1 id="profile-name">`+number+`</h1>`) ||
			!strings.Contains(page.Body, `<div class="avatar" aria-hidden="true">#</div>`) {
			t.Errorf("a phone-only contact's page is not headed by its number %q, under a # avatar", number)
		}
		// HTML is stored as text and shown escaped, never interpreted.
		loc = createContactUI(t, c, url.Values{"given_name": {`<script>alert(1)</script>`}, "family_name": {apptest.Unique("Html")}})
		page := c.Get(loc)
		if strings.Contains(page.Body, "<script>alert(1)</script>") || !strings.Contains(page.Body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Fatal("HTML in a name must be escaped")
		}
	})
}

func TestContactEditConflictLosesNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		dana, _ := srv.SignedIn(t, models.RoleMember, "Support")
		sam, _ := srv.SignedIn(t, models.RoleMember, "Billing")
		loc := createContactUI(t, dana, contactForm("Wang", apptest.Unique("Xiaoming"), apptest.Unique("wang")+"@example.com"))

		danaForm := dana.Get(loc + "/edit")
		samForm := sam.Get(loc + "/edit")
		v1 := versionField.FindStringSubmatch(danaForm.Body)
		if v1 == nil || versionField.FindStringSubmatch(samForm.Body)[1] != v1[1] {
			t.Fatal("both should read the same version")
		}
		edit := contactForm("Wang", "Xiaoming", "wang@example.com")
		edit.Set("version", v1[1])
		edit.Set("job_title", "Head of Support")
		if r := dana.PostForm(loc, edit); r.Status != http.StatusSeeOther {
			t.Fatalf("first save: %d %.500s", r.Status, r.Body)
		}
		samEdit := contactForm("Wang", "Xiaoming", "wang@example.com")
		samEdit.Set("version", v1[1])
		samEdit.Set("job_title", "CFO")
		r := sam.PostForm(loc, samEdit)
		if r.Status != http.StatusConflict || !strings.Contains(r.Body, "Someone else saved this contact") ||
			!strings.Contains(r.Body, "Head of Support") || !strings.Contains(r.Body, `value="CFO"`) {
			t.Fatalf("stale save: %d %.2000s", r.Status, r.Body)
		}
		if page := sam.Get(loc); !strings.Contains(page.Body, "Head of Support") {
			t.Fatal("the stale save must not overwrite")
		}
		// Saving again from the conflict form applies Sam's choice knowingly.
		v2 := versionField.FindStringSubmatch(r.Body)[1]
		samEdit.Set("version", v2)
		if r := sam.PostForm(loc, samEdit); r.Status != http.StatusSeeOther {
			t.Fatalf("save after review: %d", r.Status)
		}
		if page := dana.Get(loc); !strings.Contains(page.Body, "CFO") {
			t.Fatal("reviewed save not stored")
		}
	})
}

func TestInlineEditReturnsFragments(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		c, _ := srv.SignedIn(t, models.RoleMember, "Sales")
		loc := createContactUI(t, c, contactForm("Ana", apptest.Unique("Inline"), apptest.Unique("ana")+"@example.com"))
		req, _ := http.NewRequest(http.MethodGet, srv.URL+loc+"/edit", nil)
		req.Header.Set("HX-Request", "true")
		r := c.Do(req)
		if !strings.HasPrefix(strings.TrimSpace(r.Body), `<section class="card" id="profile">`) {
			t.Fatalf("inline edit should return just the form: %.200s", r.Body)
		}
		v := versionField.FindStringSubmatch(r.Body)[1]
		form := contactForm("Ana", "Inline", "ana@example.com")
		form.Set("version", v)
		form.Set("_csrf", c.CSRF("/"))
		req, _ = http.NewRequest(http.MethodPost, srv.URL+loc, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("HX-Request", "true")
		req.Header.Set("HX-Target", "profile")
		r = c.Do(req)
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `id="profile"`) || strings.Contains(r.Body, "<html") {
			t.Fatalf("inline save should return the card: %d %.300s", r.Status, r.Body)
		}
	})
}

func TestViewersCannotWriteContacts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		member, _ := srv.SignedIn(t, models.RoleMember, "Sales")
		loc := createContactUI(t, member, contactForm("Vic", apptest.Unique("Viewer"), apptest.Unique("vic")+"@example.com"))
		viewer, _ := srv.SignedIn(t, models.RoleViewer, "Sales")
		if r := viewer.Get(loc); r.Status != http.StatusOK || strings.Contains(r.Body, "/edit") {
			t.Fatalf("viewer reading a contact: %d (and no Edit button)", r.Status)
		}
		if r := viewer.Get("/contacts"); strings.Contains(r.Body, "New contact") {
			t.Error("viewers should not be offered New contact")
		}
		if r := viewer.Get("/contacts/new"); r.Status != http.StatusForbidden {
			t.Errorf("viewer opening the new form: %d", r.Status)
		}
		if r := viewer.PostForm("/contacts", contactForm("X", "Y", "x@example.com")); r.Status != http.StatusForbidden {
			t.Errorf("viewer creating: %d", r.Status)
		}
		if r := viewer.PostForm(loc, url.Values{"given_name": {"Changed"}, "version": {"1"}}); r.Status != http.StatusForbidden {
			t.Errorf("viewer updating: %d", r.Status)
		}
		if r := viewer.PostForm(loc+"/delete", url.Values{"confirm": {"yes"}}); r.Status != http.StatusForbidden {
			t.Errorf("viewer deleting: %d", r.Status)
		}
	})
}

func TestRestrictedContactIsInvisibleToOtherDepartments(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		billing, bu := srv.SignedIn(t, models.RoleMember, "Billing")
		sales, _ := srv.SignedIn(t, models.RoleAdmin, "Sales") // admins are not exempt
		family := apptest.Unique("Secretive")
		form := contactForm("Rita", family, apptest.Unique("rita")+"@example.com")
		form.Set("company", apptest.Unique("HiddenCo"))
		form.Set("restricted_department_id", fmt.Sprint(bu.Departments[0].ID))
		loc := createContactUI(t, billing, form)
		if r := billing.Get(loc); !strings.Contains(r.Body, "Visible to Billing only") {
			t.Fatal("the restriction should be visible on the contact")
		}
		if r := sales.Get(loc); r.Status != http.StatusNotFound {
			t.Fatalf("other department opening a restricted contact: %d", r.Status)
		}
		for _, path := range []string{"/contacts", "/contacts?q=" + url.QueryEscape(family), "/contacts?tag=vip"} {
			if r := sales.Get(path); strings.Contains(r.Body, "Rita "+family) {
				t.Errorf("restricted contact leaks into %s", path)
			}
		}
		a := bu.Actor("session")
		page, err := db.Contacts(ctx, a, models.ContactListOptions{Query: family})
		if err != nil || len(page.Contacts) != 1 {
			t.Fatalf("the owning department should find it: %v %v", page, err)
		}
		m := regexp.MustCompile(`href="(/companies/\d+)"`).FindStringSubmatch(billing.Get(loc).Body)
		if r := sales.Get(m[1]); strings.Contains(r.Body, "Rita "+family) {
			t.Error("restricted contact leaks through its company page")
		}
	})
}

func TestContactDeleteNeedsConfirmation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		c, _ := srv.SignedIn(t, models.RoleMember, "Sales")
		loc := createContactUI(t, c, contactForm("Del", apptest.Unique("Ete"), apptest.Unique("del")+"@example.com"))
		c.Get(loc + "/edit")
		if r := c.PostForm(loc+"/delete", nil); r.Status != http.StatusSeeOther || c.Get(loc).Status != http.StatusOK {
			t.Fatal("deleting without confirmation must not delete")
		}
		if r := c.PostForm(loc+"/delete", url.Values{"confirm": {"yes"}}); r.Status != http.StatusSeeOther || r.Location() != "/contacts" {
			t.Fatalf("delete: %d", r.Status)
		}
		if r := c.Get(loc); r.Status != http.StatusNotFound {
			t.Fatalf("deleted contact still shows: %d", r.Status)
		}
	})
}

func TestContactListLoadsMoreWithoutOffset(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		c, u := srv.SignedIn(t, models.RoleMember, "Sales")
		a := u.Actor("session")
		for i := range 120 {
			if _, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Page", FamilyName: fmt.Sprintf("Person%03d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		seen := map[string]bool{}
		body := c.Get("/contacts").Body
		more := regexp.MustCompile(`hx-get="([^"]*fragment=rows[^"]*)"`)
		names := regexp.MustCompile(`<strong>Page (Person\d{3})</strong>`)
		for range 5 {
			for _, m := range names.FindAllStringSubmatch(body, -1) {
				if seen[m[1]] {
					t.Fatalf("%s listed twice", m[1])
				}
				seen[m[1]] = true
			}
			m := more.FindStringSubmatch(body)
			if m == nil {
				break
			}
			body = c.Get(html.UnescapeString(m[1])).Body
		}
		if len(seen) != 120 {
			t.Fatalf("load more walked %d of 120 contacts", len(seen))
		}
	})
}
