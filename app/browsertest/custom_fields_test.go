package browsertest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"rapport/app/apptest"
	"rapport/app/browsertest"
	"rapport/models"
	"rapport/models/dbtest"
)

// An admin adds a custom field and fills it in on a contact; the contact
// list's activity filters and the company edit page fit a phone.
func TestCustomFieldsAndFiltersJourney(t *testing.T) {
	b := browsertest.Launch(t)
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		u := apptest.User(t, db, models.RoleAdmin, "Sales")
		ct, err := db.CreateContact(ctx, u.Actor("session"), models.ContactRequest{GivenName: "Zoë", FamilyName: "Müller", CompanyName: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		p := b.Open(t, srv.URL, browsertest.Desktop)
		p.SignIn(u.Email, apptest.Password)
		p.Go("/admin/custom-fields")
		p.Fill("#f-label", "Account tier")
		p.Fill("#f-key", "account_tier")
		browsertest.Eval[bool](p, `document.querySelector("#f-kind").value = "choice"; true`)
		p.Fill("#f-choices", "Gold\nSilver")
		p.ClickAndLoad("form[action='/admin/custom-fields'] button[type=submit]")
		if !strings.Contains(p.Text("#flash"), "Account tier added") {
			t.Fatalf("after adding the field: %q", p.Text("main"))
		}
		p.Screenshot("custom-fields")

		p.Go(fmt.Sprintf("/contacts/%d/edit", ct.ID))
		browsertest.Eval[bool](p, `document.querySelector("[name='custom_fields.account_tier']").value = "Gold"; true`)
		p.Click("#profile form[hx-post] button[type=submit]")
		waitFor(t, p, func() bool { return strings.Contains(textOf(p, "#profile"), "Gold") && !p.Visible("#profile form") })
		p.Screenshot("card")

		for i, vp := range []browsertest.Viewport{browsertest.Desktop, browsertest.Phone} {
			size := []string{"desktop-", "phone-"}[i]
			q := b.Open(t, srv.URL, vp)
			q.SignIn(u.Email, apptest.Password)
			q.Go("/contacts?contacted_from=2020-01-01")
			q.CheckFits()
			q.Screenshot(size + "contact-filters")
			q.Go(fmt.Sprintf("/companies/%d/edit", *ct.CompanyID))
			q.CheckFits()
			q.Screenshot(size + "company-edit")
		}
	})
}
