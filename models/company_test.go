package models_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"rapport/models"
	"rapport/models/dbtest"
)

func TestCompanyCRUD(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		actor := newTestActor(t, db, models.RoleMember)
		name := uniqueLabel("Société Générale ")
		domain := uniqueLabel("sg") + ".example"
		co, err := db.CreateCompany(ctx, actor, models.CompanyRequest{Name: " " + name + " ", Domain: "https://www." + strings.ToUpper(domain) + "/about",
			Industry: "Banking", Size: "10000+", Tags: []string{"Bank", "bank", "EU"}})
		if err != nil {
			t.Fatalf("CreateCompany: %v", err)
		}
		got, err := db.Company(ctx, actor, co.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != name || got.Domain != domain || got.Version != 1 || strings.Join(got.Tags, ",") != "Bank,EU" {
			t.Errorf("stored %+v", got)
		}

		// Found by domain in any spelling, and by name ignoring case and accents.
		for _, s := range []string{domain, "http://" + domain + "/", strings.ToUpper(name), strings.ReplaceAll(strings.ToLower(name), "é", "e")} {
			found, err := db.CompanyByNameOrDomain(ctx, actor, s)
			if err != nil || found.ID != co.ID {
				t.Errorf("CompanyByNameOrDomain(%q) = %v, %v; want company %d", s, found, err, co.ID)
			}
		}
		if _, err := db.CompanyByNameOrDomain(ctx, actor, uniqueLabel("nobody")); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("unknown company: %v", err)
		}

		// A contact naming the company by domain joins it rather than creating another.
		c := mustCreateContact(t, db, actor, models.ContactRequest{GivenName: "Émile", CompanyName: domain})
		if c.CompanyID == nil || *c.CompanyID != co.ID {
			t.Errorf("contact company = %v, want %d", c.CompanyID, co.ID)
		}
		// A new domain creates a company named after it.
		fresh := uniqueLabel("fresh") + ".example"
		c2 := mustCreateContact(t, db, actor, models.ContactRequest{GivenName: "Ana", CompanyName: fresh})
		if c2.Company == nil || c2.Company.Domain != fresh || c2.Company.Name != fresh {
			t.Errorf("company from domain = %+v", c2.Company)
		}
		if page, err := db.Contacts(ctx, actor, models.ContactListOptions{CompanyID: co.ID}); err != nil || len(page.Contacts) != 1 {
			t.Errorf("contacts of company: %v, %v", page, err)
		}

		// Domains are unique among live companies.
		_, err = db.CreateCompany(ctx, actor, models.CompanyRequest{Name: "Copycat", Domain: domain})
		if validationFields(t, err)["domain"] == "" {
			t.Errorf("duplicate domain: %v", err)
		}
		for _, bad := range []models.CompanyRequest{{Name: ""}, {Name: "X", Domain: "not a domain"}, {Name: strings.Repeat("n", 201)}} {
			if _, err := db.CreateCompany(ctx, actor, bad); err == nil {
				t.Errorf("CreateCompany(%+v) accepted", bad)
			}
		}

		// Update, conflict, clearing the domain.
		updated, err := db.UpdateCompany(ctx, actor, co.ID, models.CompanyPatch{Version: co.Version, Industry: ptrTo("Finance"), Domain: ptrTo("")})
		if err != nil {
			t.Fatal(err)
		}
		if updated.Industry != "Finance" || updated.Domain != "" || updated.Name != name || updated.Version != 2 {
			t.Errorf("updated = %+v", updated)
		}
		_, err = db.UpdateCompany(ctx, actor, co.ID, models.CompanyPatch{Version: co.Version, Industry: ptrTo("Stale")})
		var ce *models.ConflictError[models.Company]
		if !errors.As(err, &ce) || !errors.Is(err, models.ErrConflict) || ce.Current.Industry != "Finance" {
			t.Errorf("stale company update: %v", err)
		}
		// The freed domain can be taken.
		if _, err := db.CreateCompany(ctx, actor, models.CompanyRequest{Name: "Successor", Domain: domain}); err != nil {
			t.Errorf("reusing a freed domain: %v", err)
		}
	})
}

func TestCompanyList(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		actor := newTestActor(t, db, models.RoleMember)
		prefix := uniqueLabel("Zyx")
		for _, n := range []string{"b", "a", "c", "a", "d"} {
			if _, err := db.CreateCompany(ctx, actor, models.CompanyRequest{Name: prefix + " " + n}); err != nil {
				t.Fatal(err)
			}
		}
		for _, sort := range []models.CompanySort{models.CompanySortName, models.CompanySortUpdated} {
			var names []string
			seen := map[int64]bool{}
			cursor := ""
			for range 10 {
				page, err := db.Companies(ctx, actor, models.CompanyListOptions{Query: strings.ToLower(prefix), Sort: sort, Cursor: cursor, Limit: 2})
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range page.Companies {
					if seen[c.ID] {
						t.Fatalf("%s: company %d listed twice", sort, c.ID)
					}
					seen[c.ID] = true
					names = append(names, strings.TrimPrefix(c.Name, prefix+" "))
				}
				if cursor = page.NextCursor; cursor == "" {
					break
				}
			}
			want := "a,a,b,c,d"
			if sort == models.CompanySortUpdated {
				want = "d,a,c,a,b"
			}
			if got := strings.Join(names, ","); got != want {
				t.Errorf("%s order = %s, want %s", sort, got, want)
			}
		}
		if _, err := db.Companies(ctx, actor, models.CompanyListOptions{Sort: "size"}); validationFields(t, err)["sort"] == "" {
			t.Errorf("bad sort: %v", err)
		}
	})
}
