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

// An admin defines custom fields; members then fill them in on the
// contact form and read them on the contact card, with a clear message
// for a bad value; emptying a field removes its value.
func TestCustomFieldsInTheUI(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		srv := apptest.Start(t, db)
		adm, _ := srv.SignedIn(t, models.RoleAdmin, "Ops")
		member, _ := srv.SignedIn(t, models.RoleMember, "Sales")

		if r := member.Get("/admin/custom-fields"); r.Status != http.StatusForbidden {
			t.Errorf("a member opening the custom fields page: %d", r.Status)
		}
		if r := adm.Get("/admin/users"); !strings.Contains(r.Body, `href="/admin/custom-fields"`) {
			t.Error("the users page does not link to custom fields")
		}
		for _, f := range []url.Values{
			{"label": {"Account tier"}, "key": {"account_tier"}, "kind": {"choice"}, "choices": {"Gold\nSilver\n\nBronze"}},
			{"label": {"Seats"}, "key": {"seats"}, "kind": {"number"}},
			{"label": {"Renews on"}, "key": {"renews_on"}, "kind": {"date"}},
		} {
			if r := adm.PostForm("/admin/custom-fields", f); r.Status != http.StatusSeeOther {
				t.Fatalf("define %s: %d %.300s", f.Get("key"), r.Status, r.Body)
			}
		}
		r := adm.PostForm("/admin/custom-fields", url.Values{"label": {"Tier again"}, "key": {"account_tier"}, "kind": {"text"}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "There is already a custom field") || !strings.Contains(r.Body, `value="Tier again"`) {
			t.Errorf("a repeated key: %d", r.Status)
		}
		defs, err := db.CustomFieldDefs(t.Context())
		if err != nil || len(defs) != 3 || strings.Join(defs[0].Choices, ",") != "Gold,Silver,Bronze" {
			t.Fatalf("definitions: %+v %v", defs, err)
		}
		if r := adm.PostForm(fmt.Sprintf("/admin/custom-fields/%d", defs[1].ID), url.Values{"label": {"Licensed seats"}, "position": {"0"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("relabel: %d", r.Status)
		}

		form := member.Get("/contacts/new")
		for _, want := range []string{`name="custom_fields.account_tier"`, `<option value="Silver">Silver</option>`,
			`name="custom_fields.seats" type="number"`, `name="custom_fields.renews_on" type="date"`, "Licensed seats"} {
			if !strings.Contains(form.Body, want) {
				t.Errorf("the contact form lacks %s", want)
			}
		}
		contact := url.Values{"given_name": {"Cora"}, "family_name": {apptest.Unique("Custom")}, "custom_fields.account_tier": {"Gold"},
			"custom_fields.seats": {"many"}, "custom_fields.renews_on": {"2027-03-01"}}
		if r := member.PostForm("/contacts", contact); r.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Body, "Licensed seats must be a number") || !strings.Contains(r.Body, `<option value="Gold" selected>Gold</option>`) {
			t.Fatalf("a bad number: %d", r.Status)
		}
		contact.Set("custom_fields.seats", "25")
		r = member.PostForm("/contacts", contact)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("create: %d %.300s", r.Status, r.Body)
		}
		loc := r.Location()
		card := member.Get(loc).Body
		for _, want := range []string{"<dt>Account tier</dt><dd>Gold</dd>", "<dt>Licensed seats</dt><dd>25</dd>", "<dt>Renews on</dt><dd>2027-03-01</dd>"} {
			if !strings.Contains(card, want) {
				t.Errorf("the contact card lacks %s", want)
			}
		}

		// The edit form shows the values; emptying one removes it.
		edit := member.Get(loc + "/edit").Body
		if !strings.Contains(edit, `name="custom_fields.seats" type="number" value="25"`) {
			t.Error("the edit form does not show the value")
		}
		v := versionField.FindStringSubmatch(edit)[1]
		contact.Set("version", v)
		contact.Set("custom_fields.seats", "")
		if r := member.PostForm(loc, contact); r.Status != http.StatusSeeOther {
			t.Fatalf("update: %d %.300s", r.Status, r.Body)
		}
		if card := member.Get(loc).Body; strings.Contains(card, "<dt>Licensed seats</dt>") || !strings.Contains(card, "<dd>Gold</dd>") {
			t.Error("emptying a field should remove only its value")
		}

		// Deleting a definition hides its values from the card.
		if r := adm.PostForm(fmt.Sprintf("/admin/custom-fields/%d/delete", defs[0].ID), nil); r.Status != http.StatusSeeOther {
			t.Fatalf("delete: %d", r.Status)
		}
		if strings.Contains(member.Get(loc).Body, "<dt>Account tier</dt>") {
			t.Error("a deleted field still shows on the card")
		}
	})
}
