package app_test

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

// TestContactFormBirthdayWithoutYear enters a birthday in the contact form
// as day, month and an empty year: it is stored as --MM-DD, shown as
// "25 December", comes back in the edit form in its parts, and survives
// an edit of another field. A day that does not exist is refused on the
// field, with what was typed kept.
func TestContactFormBirthdayWithoutYear(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		c, u := srv.SignedIn(t, models.RoleMember, "Sales")
		stored := func(loc string) string {
			t.Helper()
			id, _ := strconv.ParseInt(strings.TrimPrefix(loc, "/contacts/"), 10, 64)
			ct, err := db.Contact(context.Background(), u.Actor("session"), id)
			if err != nil {
				t.Fatal(err)
			}
			return ct.Birthday
		}
		form := contactForm("Ada", apptest.Unique("Lovelace"), apptest.Unique("ada")+"@example.com")
		form.Set("birthday_day", "25")
		form.Set("birthday_month", "12")
		form.Set("birthday_year", "")
		loc := createContactUI(t, c, form)
		if b := stored(loc); b != "--12-25" {
			t.Fatalf("stored %q, want --12-25", b)
		}
		if page := c.Get(loc); !strings.Contains(page.Body, "<dd>25 December</dd>") {
			t.Errorf("the profile must show 25 December:\n%.3000s", page.Body)
		}

		edit := c.Get(loc + "/edit")
		for _, want := range []*regexp.Regexp{
			regexp.MustCompile(`<input id="f-birthday" name="birthday_day" [^>]*value="25"`),
			regexp.MustCompile(`<option value="12" selected>December</option>`),
			regexp.MustCompile(`<input id="f-birthday_year" name="birthday_year" [^>]*value=""`),
			regexp.MustCompile(`<legend>Birthday <span class="hint" id="f-birthday-hint">`),
		} {
			if !want.MatchString(edit.Body) {
				t.Errorf("edit form lacks %s", want)
			}
		}
		// Saving the form as it comes, with another field changed, keeps it.
		form.Set("version", versionField.FindStringSubmatch(edit.Body)[1])
		form.Set("job_title", "Countess")
		if r := c.PostForm(loc, form); r.Status != http.StatusSeeOther {
			t.Fatalf("edit: %d %.1000s", r.Status, r.Body)
		}
		if b := stored(loc); b != "--12-25" {
			t.Fatalf("after an edit: %q, want --12-25", b)
		}

		// No such day: refused on the field, what was typed kept.
		edit = c.Get(loc + "/edit")
		form.Set("version", versionField.FindStringSubmatch(edit.Body)[1])
		form.Set("birthday_day", "30")
		form.Set("birthday_month", "2")
		r := c.PostForm(loc, form)
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `<p class="field-error" id="f-birthday-error">Enter a day and a month that exist`) ||
			!regexp.MustCompile(`name="birthday_day" [^>]*value="30"[^>]*aria-invalid="true"`).MatchString(r.Body) ||
			!strings.Contains(r.Body, `<option value="2" selected>February</option>`) || !strings.Contains(r.Body, `href="#f-birthday"`) {
			t.Fatalf("30 February: %d %.4000s", r.Status, r.Body)
		}
		// A day without a month is refused too, not dropped.
		form.Set("birthday_month", "")
		if r := c.PostForm(loc, form); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Enter a day and a month that exist") {
			t.Fatalf("day without month: %d", r.Status)
		}

		// A year that is no year is refused, not taken for none.
		form.Set("birthday_month", "2")
		form.Set("birthday_day", "28")
		form.Set("birthday_year", "0")
		if r := c.PostForm(loc, form); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Enter a day and a month that exist") {
			t.Fatalf("year 0: %d", r.Status)
		}

		// With the year, it is a full date.
		form.Set("birthday_day", "29")
		form.Set("birthday_month", "2")
		form.Set("birthday_year", "1984")
		if r := c.PostForm(loc, form); r.Status != http.StatusSeeOther {
			t.Fatalf("with the year: %d %.1000s", r.Status, r.Body)
		}
		if b := stored(loc); b != "1984-02-29" {
			t.Fatalf("stored %q, want 1984-02-29", b)
		}
		if page := c.Get(loc); !strings.Contains(page.Body, "<dd>29 February 1984</dd>") {
			t.Error("the profile must show 29 February 1984")
		}
		edit = c.Get(loc + "/edit")
		if !regexp.MustCompile(`name="birthday_year" [^>]*value="1984"`).MatchString(edit.Body) {
			t.Error("the edit form must hold the year")
		}
		// Emptying the three parts removes the birthday.
		form.Set("version", versionField.FindStringSubmatch(edit.Body)[1])
		for _, k := range []string{"birthday_day", "birthday_month", "birthday_year"} {
			form.Set(k, "")
		}
		if r := c.PostForm(loc, form); r.Status != http.StatusSeeOther || stored(loc) != "" {
			t.Fatalf("cleared: %d %q", r.Status, stored(loc))
		}
	})
}
