package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

func TestBulkActionsFromTheList(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		c, _ := srv.SignedIn(t, models.RoleMember, "Sales")
		fam := apptest.Unique("Bulk")
		one := strings.TrimPrefix(createContactUI(t, c, url.Values{"given_name": {"One"}, "family_name": {fam}}), "/contacts/")
		two := strings.TrimPrefix(createContactUI(t, c, url.Values{"given_name": {"Two"}, "family_name": {fam}}), "/contacts/")
		list := c.Get("/contacts?q=" + fam)
		if !strings.Contains(list.Body, `name="id" value="`+one+`"`) || !strings.Contains(list.Body, "With the selected contacts") {
			t.Fatal("the list offers no selection")
		}
		tag := apptest.Unique("campaign")
		r := c.PostForm("/contacts/bulk", url.Values{"id": {one, two}, "action": {"tag"}, "tag": {tag}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("bulk tag: %d", r.Status)
		}
		if page := c.Get("/contacts?tag=" + tag); !strings.Contains(page.Body, "One "+fam) || !strings.Contains(page.Body, "Two "+fam) {
			t.Fatal("bulk tag did not tag both")
		}
		r = c.PostForm("/contacts/bulk", url.Values{"id": {one, two}, "action": {"export"}})
		if !strings.HasPrefix(r.Location(), "/export/contacts?") || !strings.Contains(r.Location(), "id="+one) {
			t.Fatalf("export selection: %q", r.Location())
		}
		if csv := c.Get(r.Location()); strings.Count(csv.Body, fam) != 2 {
			t.Fatalf("selection export should hold exactly the two: %s", csv.Body)
		}
		c.PostForm("/contacts/bulk", url.Values{"id": {one}, "action": {"delete"}})
		if c.Get("/contacts/"+one).Status != http.StatusOK {
			t.Fatal("delete without confirmation deleted")
		}
		c.PostForm("/contacts/bulk", url.Values{"id": {one}, "action": {"delete"}, "confirm": {"yes"}})
		if c.Get("/contacts/"+one).Status != http.StatusNotFound {
			t.Fatal("confirmed bulk delete did not delete")
		}
		v, _ := srv.SignedIn(t, models.RoleViewer, "Sales")
		if r := v.PostForm("/contacts/bulk", url.Values{"id": {two}, "action": {"delete"}, "confirm": {"yes"}}); r.Status != http.StatusForbidden {
			t.Fatalf("viewer bulk delete: %d", r.Status)
		}
	})
}
