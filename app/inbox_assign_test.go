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

// personOption is the "Assign to" select's option for a person, chosen.
func personOption(u *models.User) string {
	return fmt.Sprintf(`<option value="user:%d" selected>%s</option>`, u.ID, html.EscapeString(u.Name))
}

// assignForm is what a card's "Assign to" form sends as the page rendered
// it: its CSRF token, the item's version and the assignee chosen now.
func assignForm(t *testing.T, card string) url.Values {
	t.Helper()
	form := regexp.MustCompile(`(?s)<form[^>]*class="inbox-assign".*?</form>`).FindString(card)
	csrf := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(form)
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(form)
	if csrf == nil || version == nil {
		t.Fatalf("the card's assign form lacks its token or version: %.2000s", form)
	}
	v := url.Values{"_csrf": {csrf[1]}, "version": {version[1]}, "assignee": {""}}
	if chosen := regexp.MustCompile(`<option value="([^"]*)" selected>`).FindStringSubmatch(form); chosen != nil {
		v.Set("assignee", chosen[1])
	}
	return v
}

// However many colleagues there are, an Inbox item goes to any of them:
// with 250 ahead (more than the old list of 200 held), one who joined last
// is found by typing part of her name, chosen, and assigned with a plain
// form post; the card then shows her. Departments and nobody are chosen
// from the card's short list as before, and no card lists everyone.
func TestInboxAssignsAnyColleagueFoundByName(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		f := newSocialFixture(t, db, "Support")
		res := push(t, f.writer, f.post("Is my "+f.term+" on its way?", 10*time.Minute), http.StatusCreated)
		c, _ := f.srv.SignedIn(t, models.RoleMember, "Support")
		apptest.ManyUsers(t, db, 250)
		viewer := apptest.NamedUser(t, db, models.RoleViewer, "Sales", "Zelda Viewer")
		late := apptest.NamedUser(t, db, models.RoleMember, "Sales", "Zelda Latecomer")
		if n, err := db.CountUsers(ctx); err != nil || n <= 251 {
			t.Fatalf("%d users (%v); the test needs more than the old list's 200", n, err)
		}
		deps, err := db.Departments(ctx)
		if err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/inbox/%d/assign", res.Inbox.ID)
		cardNow := func() string {
			t.Helper()
			page := c.Get("/inbox")
			if page.Status != http.StatusOK {
				t.Fatalf("inbox page: %d", page.Status)
			}
			return cardOf(t, page.Body, res.Inbox.ID)
		}

		card := cardNow()
		if n := strings.Count(card, `value="user:`); n != 0 {
			t.Errorf("an unassigned card offers %d people; it should find them by search", n)
		}
		for _, d := range deps {
			if !strings.Contains(card, fmt.Sprintf(`<option value="department:%d">%s</option>`, d.ID, d.Name)) {
				t.Errorf("the card does not offer the department %s", d.Name)
			}
		}
		if !strings.Contains(card, `<option value="" selected>Nobody</option>`) || !strings.Contains(card, `hx-get="/users/picker?for=inbox-assignee"`) {
			t.Errorf("the unassigned card should choose Nobody and search for people: %.3000s", card)
		}

		// Typing part of her name finds her (not a viewer, who may not
		// answer); choosing her makes her the select's choice.
		found := htmxGet(t, c, f.srv.URL, "/users/picker?for=inbox-assignee&user_q=ZELDA")
		choose := fmt.Sprintf("/users/picker/choice?for=inbox-assignee&amp;id=%d", late.ID)
		if found.Status != http.StatusOK || !strings.Contains(found.Body, choose) || !strings.Contains(found.Body, late.Name) ||
			!strings.Contains(found.Body, `hx-target="previous .user-option"`) || strings.Contains(found.Body, viewer.Name) {
			t.Fatalf("search for Zelda: %d %s", found.Status, found.Body)
		}
		chosen := htmxGet(t, c, f.srv.URL, strings.ReplaceAll(choose, "&amp;", "&"))
		if chosen.Status != http.StatusOK || !strings.Contains(chosen.Body, personOption(late)) {
			t.Fatalf("choose Zelda: %d %s", chosen.Status, chosen.Body)
		}
		if r := htmxGet(t, c, f.srv.URL, fmt.Sprintf("/users/picker/choice?for=inbox-assignee&id=%d", viewer.ID)); r.Status != http.StatusNotFound {
			t.Errorf("choosing a viewer: %d", r.Status)
		}

		// The form posts her as its value, without JavaScript too.
		form := assignForm(t, card)
		form.Set("assignee", fmt.Sprintf("user:%d", late.ID))
		form.Set("user_q", "zelda")
		if r := c.PostForm(path, form); r.Status != http.StatusSeeOther {
			t.Fatalf("assign to Zelda: %d %.500s", r.Status, r.Body)
		}
		card = cardNow()
		if !strings.Contains(card, `<span class="inbox-assignee">Zelda Latecomer</span>`) || !strings.Contains(card, personOption(late)) {
			t.Errorf("the card assigned to Zelda: %.3000s", card)
		}
		if n := strings.Count(card, `value="user:`); n != 1 {
			t.Errorf("the card offers %d people, want only the one assigned", n)
		}
		if got, err := db.InboxItemByID(ctx, late.Actor("session"), res.Inbox.ID); err != nil || got.AssigneeUserID == nil || *got.AssigneeUserID != late.ID {
			t.Fatalf("the item after assigning Zelda: %+v %v", got, err)
		}
		// Sending the form as it stands keeps her.
		if r := c.PostForm(path, assignForm(t, card)); r.Status != http.StatusSeeOther {
			t.Fatalf("assign again as shown: %d %.500s", r.Status, r.Body)
		}
		if card = cardNow(); !strings.Contains(card, personOption(late)) {
			t.Errorf("the form as shown lost Zelda: %.3000s", card)
		}

		// A department from the list (through htmx, which answers the
		// card), then nobody.
		support := deps[0]
		for _, d := range deps {
			if d.Name == "Support" {
				support = d
			}
		}
		form = assignForm(t, card)
		form.Set("assignee", fmt.Sprintf("department:%d", support.ID))
		r := htmxPost(t, c, f.srv.URL, path, form)
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `<span class="inbox-assignee">Support</span>`) ||
			!strings.Contains(r.Body, fmt.Sprintf(`<option value="department:%d" selected>Support</option>`, support.ID)) ||
			strings.Contains(r.Body, `value="user:`) {
			t.Fatalf("assign to Support: %d %.3000s", r.Status, r.Body)
		}
		form = assignForm(t, cardNow())
		form.Set("assignee", "")
		if r := c.PostForm(path, form); r.Status != http.StatusSeeOther {
			t.Fatalf("assign to nobody: %d %.500s", r.Status, r.Body)
		}
		card = cardNow()
		if !strings.Contains(card, `<span class="inbox-assignee">Unassigned</span>`) || !strings.Contains(card, `<option value="" selected>Nobody</option>`) {
			t.Errorf("the card assigned to nobody: %.3000s", card)
		}
		if got, err := db.InboxItemByID(ctx, late.Actor("session"), res.Inbox.ID); err != nil || got.AssigneeUserID != nil || got.AssigneeDepartmentID != nil {
			t.Errorf("the item after assigning nobody: %+v %v", got, err)
		}

		// A viewer may read the Inbox but not search for whom to assign.
		v, _ := f.srv.SignedIn(t, models.RoleViewer, "Support")
		if r := htmxGet(t, v, f.srv.URL, "/users/picker?for=inbox-assignee&user_q=zelda"); r.Status != http.StatusForbidden {
			t.Errorf("a viewer's search: %d", r.Status)
		}
	})
}
