package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

type apiCompany struct {
	ID        int64     `json:"id"`
	Version   int64     `json:"version"`
	Name      string    `json:"name"`
	Domain    string    `json:"domain"`
	Industry  string    `json:"industry"`
	Size      string    `json:"size"`
	Address   string    `json:"address"`
	Tags      []string  `json:"tags"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func TestCompanyAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		for _, mode := range authModes {
			t.Run(mode, func(t *testing.T) {
				c, _ := apiClient(t, srv, mode, models.RoleMember, "Sales")
				other, _ := apiClient(t, srv, "bearer", models.RoleMember, "Support")
				name := apptest.Unique("Société Générale d'Électricité ")
				host := strings.ToLower(apptest.Unique("sge")) + ".example"
				r := c.JSON(http.MethodPost, "/api/v1/companies", map[string]any{"name": name, "domain": "https://www." + host + "/about",
					"industry": "Energy", "tags": []string{"partner"}})
				if r.Status != http.StatusCreated {
					t.Fatalf("create company: %d %s", r.Status, r.Body)
				}
				var co apiCompany
				r.Decode(t, &co)
				if r.Location() != fmt.Sprintf("/api/v1/companies/%d", co.ID) || co.Version != 1 || co.Name != name ||
					co.Domain != host || co.Industry != "Energy" || !slices.Equal(co.Tags, []string{"partner"}) || co.CreatedAt.IsZero() {
					t.Fatalf("created company %+v at %q", co, r.Location())
				}
				var got apiCompany
				c.Get(r.Location()).Decode(t, &got)
				if mustMarshal(t, got) != mustMarshal(t, co) {
					t.Fatalf("GET differs from POST: %+v", got)
				}

				// Listed by the start of its name, accents or not, and of its domain.
				for _, q := range []string{"société gén", "SOCIETE GENERALE", host[:6]} {
					var page struct {
						Items      []apiCompany
						NextCursor *string `json:"next_cursor"`
					}
					c.Get("/api/v1/companies?"+url.Values{"q": {q}, "limit": {"200"}}.Encode()).Decode(t, &page)
					if !slices.ContainsFunc(page.Items, func(x apiCompany) bool { return x.ID == co.ID }) {
						t.Errorf("q=%q does not list the company", q)
					}
				}

				// Contacts link to it by id, by name or by domain.
				byID := createContact(t, c, map[string]any{"given_name": "Ann", "company_id": co.ID})
				byDomain := createContact(t, c, map[string]any{"given_name": "Bea", "company": host})
				byName := createContact(t, c, map[string]any{"given_name": "Cid", "company": strings.ToUpper(name)})
				for _, ct := range []apiContact{byID, byDomain, byName} {
					if ct.CompanyID == nil || *ct.CompanyID != co.ID || ct.Company == nil || *ct.Company != name {
						t.Errorf("%s linked to %v %v, want %d", ct.Name, ct.CompanyID, ct.Company, co.ID)
					}
				}
				if got := listContacts(t, c, url.Values{"company_id": {fmt.Sprint(co.ID)}}); len(got.Items) != 3 {
					t.Errorf("contacts of the company: %q", names(got.Items))
				}

				// Patch, conflict, and the problems a company can have.
				path := fmt.Sprintf("/api/v1/companies/%d", co.ID)
				r = c.JSON(http.MethodPatch, path, map[string]any{"version": 1, "size": "11-50"})
				r.Decode(t, &got)
				if r.Status != http.StatusOK || got.Version != 2 || got.Size != "11-50" || got.Industry != "Energy" || got.Domain != host {
					t.Fatalf("patch company: %d %+v", r.Status, got)
				}
				r = other.JSON(http.MethodPatch, path, map[string]any{"version": 1, "industry": "Utilities"})
				problem(t, r, http.StatusConflict)
				var conflict struct{ Current apiCompany }
				r.Decode(t, &conflict)
				if conflict.Current.Version != 2 || conflict.Current.Size != "11-50" || conflict.Current.Industry != "Energy" {
					t.Fatalf("409 current: %+v", conflict.Current)
				}
				// A renamed company is found under its new name in contact search.
				renamed := apptest.Unique("Zyxwvu ")
				if r := c.JSON(http.MethodPatch, path, map[string]any{"version": 2, "name": renamed}); r.Status != http.StatusOK {
					t.Fatalf("rename: %d %s", r.Status, r.Body)
				}
				if got := listContacts(t, c, url.Values{"q": {renamed}}); len(got.Items) != 3 {
					t.Errorf("contacts by the company's new name: %q", names(got.Items))
				}

				otherHost := strings.ToLower(apptest.Unique("taken")) + ".example"
				if r := c.JSON(http.MethodPost, "/api/v1/companies", map[string]any{"name": "Taken", "domain": otherHost}); r.Status != http.StatusCreated {
					t.Fatalf("second company: %d", r.Status)
				}
				for _, tc := range []struct {
					method, path string
					body         any
					status       int
					field        string
				}{
					{http.MethodPost, "/api/v1/companies", map[string]any{"domain": "nameless.example"}, 422, "name"},
					{http.MethodPost, "/api/v1/companies", map[string]any{"name": "Dup", "domain": otherHost}, 422, "domain"},
					{http.MethodPost, "/api/v1/companies", map[string]any{"name": "Bad", "domain": "not a domain"}, 422, "domain"},
					{http.MethodPost, "/api/v1/companies", map[string]any{"name": "X", "website": "x.example"}, 422, "website"},
					{http.MethodPost, "/api/v1/companies", map[string]any{"name": "X", "version": 1}, 422, "version"},
					{http.MethodPost, "/api/v1/companies", map[string]any{"name": strings.Repeat("n", 10000)}, 422, "name"},
					{http.MethodPost, "/api/v1/companies", map[string]any{"name": 12}, 400, ""},
					{http.MethodPatch, path, map[string]any{"name": "No version"}, 422, "version"},
					{http.MethodPatch, path, map[string]any{"version": 3, "domain": otherHost}, 422, "domain"},
					{http.MethodPatch, path, map[string]any{"version": 3, "id": 1}, 422, "id"},
					{http.MethodPatch, path, map[string]any{"version": 3, "name": nil}, 422, "name"},
					{http.MethodGet, "/api/v1/companies/999999999", nil, 404, ""},
					{http.MethodGet, "/api/v1/companies?sort=size", nil, 422, "sort"},
				} {
					p := problem(t, c.JSON(tc.method, tc.path, tc.body), tc.status)
					if tc.field != "" && p.Errors[tc.field] == "" {
						t.Errorf("%s %s %v: errors %v, want one for %s", tc.method, tc.path, tc.body, p.Errors, tc.field)
					}
				}
				var final apiCompany
				c.Get(path).Decode(t, &final)
				if final.Version != 3 || final.Name != renamed || final.Domain != host {
					t.Fatalf("refused changes changed the company: %+v", final)
				}
			})
		}
	})
}

// Custom fields: the definitions are listed, values are checked against
// them and stored in their kind's form, and a patch merges.
func TestContactAPICustomFields(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		c, _ := apiClient(t, srv, "bearer", models.RoleMember, "Sales")
		tier, seats := apptest.Unique("tier"), apptest.Unique("seats")
		if _, err := db.CreateCustomFieldDef(ctx, models.System, models.CustomFieldDefRequest{Key: tier, Label: "Tier",
			Kind: models.CustomFieldChoice, Choices: []string{"Gold", "Silver"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateCustomFieldDef(ctx, models.System, models.CustomFieldDefRequest{Key: seats, Label: "Seats",
			Kind: models.CustomFieldNumber}); err != nil {
			t.Fatal(err)
		}
		var defs struct {
			Items []struct {
				Key, Label, Kind string
				Choices          []string
			}
		}
		c.Get("/api/v1/custom-fields").Decode(t, &defs)
		i := slices.IndexFunc(defs.Items, func(d struct {
			Key, Label, Kind string
			Choices          []string
		}) bool {
			return d.Key == tier
		})
		if i < 0 || defs.Items[i].Kind != "choice" || !slices.Equal(defs.Items[i].Choices, []string{"Gold", "Silver"}) {
			t.Fatalf("custom fields listed: %+v", defs.Items)
		}
		problem(t, c.Get("/api/v1/custom-fields?kind=choice"), http.StatusUnprocessableEntity)

		ct := createContact(t, c, map[string]any{"given_name": "Custom", "custom_fields": map[string]any{tier: "gold", seats: 42.50}})
		if ct.CustomFields[tier] != "Gold" || ct.CustomFields[seats] != "42.5" {
			t.Fatalf("custom fields stored as %v", ct.CustomFields)
		}
		path := fmt.Sprintf("/api/v1/contacts/%d", ct.ID)
		p := problem(t, c.JSON(http.MethodPatch, path, map[string]any{"version": 1, "custom_fields": map[string]any{tier: "Platinum"}}), 422)
		if !strings.Contains(p.Errors["custom_fields."+tier], "Gold, Silver") {
			t.Fatalf("bad choice: %v", p.Errors)
		}
		r := c.JSON(http.MethodPatch, path, map[string]any{"version": 1, "custom_fields": map[string]any{tier: nil}})
		var got apiContact
		r.Decode(t, &got)
		if r.Status != http.StatusOK || len(got.CustomFields) != 1 || got.CustomFields[seats] != "42.5" {
			t.Fatalf("removing one custom field: %d %v", r.Status, got.CustomFields)
		}
	})
}
