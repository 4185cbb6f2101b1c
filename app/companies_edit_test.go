package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

// A member edits a company's details; a save against a version someone
// else replaced comes back with both, and bad input keeps what was typed.
func TestCompanyEditPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		c, u := srv.SignedIn(t, models.RoleMember, "Sales")
		co, err := db.CreateCompany(ctx, u.Actor("session"), models.CompanyRequest{Name: apptest.Unique("Acme ")})
		if err != nil {
			t.Fatal(err)
		}
		page := fmt.Sprintf("/companies/%d", co.ID)
		if !strings.Contains(c.Get(page).Body, `href="`+page+`/edit"`) {
			t.Error("the company page has no Edit link")
		}
		if r := c.Get(page + "/edit"); r.Status != http.StatusOK || !strings.Contains(r.Body, `name="version" value="1"`) {
			t.Fatalf("edit form: %d", r.Status)
		}
		form := func(version int64, name, domain string) url.Values {
			return url.Values{"version": {fmt.Sprint(version)}, "name": {name}, "domain": {domain}, "industry": {"Robotics"},
				"size": {"51-200"}, "address": {"1 Main St\nSpringfield"}, "tags": {"partner, emea"}}
		}
		r := c.PostForm(page, form(1, co.Name+" Ltd", "https://www.Acme-Robots.example/about"))
		if r.Status != http.StatusSeeOther || r.Location() != page {
			t.Fatalf("save: %d %s", r.Status, r.Body)
		}
		got, _ := db.Company(ctx, u.Actor("session"), co.ID)
		if got.Name != co.Name+" Ltd" || got.Domain != "acme-robots.example" || got.Industry != "Robotics" || got.Size != "51-200" ||
			got.Address != "1 Main St\nSpringfield" || strings.Join(got.Tags, ",") != "partner,emea" || got.Version != 2 {
			t.Fatalf("saved company: %+v", got)
		}
		shown := c.Get(page).Body
		for _, want := range []string{"Robotics", "51-200", "acme-robots.example", "partner", "Company saved."} {
			if !strings.Contains(shown, want) {
				t.Errorf("the company page lacks %q", want)
			}
		}

		r = c.PostForm(page, form(1, "Stale name", ""))
		if r.Status != http.StatusConflict || !strings.Contains(r.Body, "Someone else saved this company") ||
			!strings.Contains(r.Body, co.Name+" Ltd") || !strings.Contains(r.Body, `value="Stale name"`) || !strings.Contains(r.Body, `name="version" value="2"`) {
			t.Fatalf("stale save: %d", r.Status)
		}
		r = c.PostForm(page, form(2, "", "not a domain"))
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Enter the company&#39;s name.") || !strings.Contains(r.Body, `value="not a domain"`) {
			t.Fatalf("invalid save: %d", r.Status)
		}
		viewer, _ := srv.SignedIn(t, models.RoleViewer, "Sales")
		if r := viewer.PostForm(page, form(2, "Viewer", "")); r.Status != http.StatusForbidden {
			t.Errorf("a viewer saving: %d", r.Status)
		}
		if strings.Contains(viewer.Get(page).Body, page+"/edit") {
			t.Error("a viewer is offered Edit")
		}
	})
}
