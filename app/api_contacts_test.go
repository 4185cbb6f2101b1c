package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"rapport/app"
	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

// apiContact is a contact response as a client reads it.
type apiContact struct {
	ID          int64   `json:"id"`
	Version     int64   `json:"version"`
	Name        string  `json:"name"`
	GivenName   string  `json:"given_name"`
	FamilyName  string  `json:"family_name"`
	DisplayName string  `json:"display_name"`
	Title       string  `json:"title"`
	Company     *string `json:"company"`
	CompanyID   *int64  `json:"company_id"`
	Emails      []struct {
		Address, Label string
		Primary        bool
	} `json:"emails"`
	Phones []struct {
		Number, E164, Label string
		Primary             bool
	} `json:"phones"`
	Tags                   []string          `json:"tags"`
	Birthday               *string           `json:"birthday"`
	About                  string            `json:"about"`
	OwnerID                *int64            `json:"owner_id"`
	RestrictedDepartmentID *int64            `json:"restricted_department_id"`
	CustomFields           map[string]string `json:"custom_fields"`
	Source                 string            `json:"source"`
	LastContactedAt        *time.Time        `json:"last_contacted_at"`
	Addresses              []struct {
		Label, Street, City, Region, Country string
		PostalCode                           string `json:"postal_code"`
	} `json:"addresses"`
	SocialProfiles []struct {
		Network, Handle, URL string
		FeedURL              string `json:"feed_url"`
	} `json:"social_profiles"`
}

type apiContactPage struct {
	Items      []apiContact `json:"items"`
	NextCursor *string      `json:"next_cursor"`
}

// apiClient is a client of the given role authenticated the way mode
// says: "bearer" with an API token, "session" signed in through the form
// (its JSON calls then carry the CSRF header, as the app's pages do).
func apiClient(t *testing.T, srv *apptest.Server, mode string, role models.Role, department string) (*apptest.Client, *models.User) {
	t.Helper()
	if mode == "session" {
		return srv.SignedIn(t, role, department)
	}
	u := apptest.User(t, srv.DB, role, department)
	_, secret, err := srv.DB.CreateAPIToken(context.Background(), u.ID, "test client", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	c := srv.NewClient(t)
	c.Bearer = secret
	return c, u
}

var authModes = []string{"bearer", "session"}

// problem reads a problem response, failing unless it has the status.
func problem(t *testing.T, r *apptest.Response, status int) app.Problem {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %.600s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("problem served as %q", ct)
	}
	var p app.Problem
	r.Decode(t, &p)
	if p.Status != status || p.Detail == "" {
		t.Fatalf("problem %+v", p)
	}
	return p
}

// sendRaw sends body as it is, for bodies a JSON encoder would not write.
func sendRaw(t *testing.T, srv *apptest.Server, c *apptest.Client, method, path, contentType, body string) *apptest.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if c.Bearer == "" {
		req.Header.Set("X-CSRF-Token", c.CSRF("/"))
	}
	return c.Do(req)
}

func createContact(t *testing.T, c *apptest.Client, body map[string]any) apiContact {
	t.Helper()
	r := c.JSON(http.MethodPost, "/api/v1/contacts", body)
	if r.Status != http.StatusCreated {
		t.Fatalf("create contact: %d %.800s", r.Status, r.Body)
	}
	var ct apiContact
	r.Decode(t, &ct)
	if want := fmt.Sprintf("/api/v1/contacts/%d", ct.ID); r.Location() != want {
		t.Fatalf("Location %q, want %q", r.Location(), want)
	}
	return ct
}

func getContact(t *testing.T, c *apptest.Client, id int64) apiContact {
	t.Helper()
	r := c.Get(fmt.Sprintf("/api/v1/contacts/%d", id))
	if r.Status != http.StatusOK {
		t.Fatalf("get contact %d: %d %.500s", id, r.Status, r.Body)
	}
	var ct apiContact
	r.Decode(t, &ct)
	return ct
}

func listContacts(t *testing.T, c *apptest.Client, q url.Values) apiContactPage {
	t.Helper()
	r := c.Get("/api/v1/contacts?" + q.Encode())
	if r.Status != http.StatusOK {
		t.Fatalf("list contacts %s: %d %.500s", q.Encode(), r.Status, r.Body)
	}
	var p apiContactPage
	r.Decode(t, &p)
	return p
}

func names(cs []apiContact) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name
	}
	return out
}

// The whole life of a contact through the API, with names in three
// scripts, by token and by browser session alike.
// TestContactAPIBirthdayWithoutYear creates, reads and patches a contact
// whose birthday has no year: the API passes --MM-DD through as it is.
func TestContactAPIBirthdayWithoutYear(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		c, _ := apiClient(t, srv, "bearer", models.RoleMember, "Sales")
		ct := createContact(t, c, map[string]any{"given_name": "Ada", "birthday": "--12-25"})
		var got apiContact
		c.Get(fmt.Sprintf("/api/v1/contacts/%d", ct.ID)).Decode(t, &got)
		if ct.Birthday == nil || *ct.Birthday != "--12-25" || got.Birthday == nil || *got.Birthday != "--12-25" {
			t.Fatalf("created %v, read %v", ct.Birthday, got.Birthday)
		}
		r := c.JSON(http.MethodPatch, fmt.Sprintf("/api/v1/contacts/%d", ct.ID), map[string]any{"version": got.Version, "birthday": "--02-29"})
		r.Decode(t, &got)
		if r.Status != http.StatusOK || got.Birthday == nil || *got.Birthday != "--02-29" {
			t.Fatalf("patched: %d %s", r.Status, r.Body)
		}
	})
}

func TestContactAPIRoundTrip(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		for _, mode := range authModes {
			t.Run(mode, func(t *testing.T) {
				c, u := apiClient(t, srv, mode, models.RoleMember, "Sales")
				tag := apptest.Unique("roundtrip")
				company := apptest.Unique("Compañía Ñandú ")
				jose := createContact(t, c, map[string]any{
					"given_name": "José", "family_name": "Álvarez", "title": "Director <técnico>",
					"emails":          []map[string]any{{"address": "jose@example.com", "label": "work"}, {"address": "pepe@example.org", "primary": true}},
					"phones":          []map[string]any{{"number": "020 7946 0958", "label": "office"}},
					"phone_region":    "GB",
					"company":         company,
					"tags":            []string{tag, "VIP"},
					"social_profiles": []map[string]any{{"url": "https://github.com/octocat"}, {"url": "https://mastodon.social/@jose"}},
					"addresses":       []map[string]any{{"label": "home", "street": "Calle Mayor 1\n2º izquierda", "city": "Madrid", "country": "ES"}},
					"birthday":        "1984-07-21",
					"about":           "Met at <b>FOSDEM</b> & liked it.\nSecond line.",
				})
				if jose.ID == 0 || jose.Version != 1 || jose.Name != "José Álvarez" || jose.Source != "api" ||
					jose.OwnerID == nil || *jose.OwnerID != u.ID || jose.Title != "Director <técnico>" ||
					jose.About != "Met at <b>FOSDEM</b> & liked it.\nSecond line." || jose.Birthday == nil || *jose.Birthday != "1984-07-21" {
					t.Fatalf("created contact: %+v", jose)
				}
				if jose.Company == nil || *jose.Company != company || jose.CompanyID == nil {
					t.Fatalf("company %v %v, want %q linked", jose.Company, jose.CompanyID, company)
				}
				if len(jose.Emails) != 2 || jose.Emails[0].Primary || !jose.Emails[1].Primary || jose.Emails[0].Label != "work" {
					t.Fatalf("emails %+v", jose.Emails)
				}
				if len(jose.Phones) != 1 || jose.Phones[0].E164 != "+442079460958" || jose.Phones[0].Number != "020 7946 0958" || !jose.Phones[0].Primary {
					t.Fatalf("phones %+v", jose.Phones)
				}
				if !slices.Equal(jose.Tags, []string{tag, "VIP"}) && !slices.Equal(jose.Tags, []string{"VIP", tag}) {
					t.Fatalf("tags %v", jose.Tags)
				}
				gh, masto := jose.SocialProfiles[0], jose.SocialProfiles[1]
				if gh.Network != "github" || gh.Handle != "octocat" || gh.FeedURL != "https://github.com/octocat.atom" ||
					masto.Network != "mastodon" || masto.Handle != "@jose@mastodon.social" || masto.FeedURL != "https://mastodon.social/@jose.rss" {
					t.Fatalf("profiles not recognised from their url: %+v", jose.SocialProfiles)
				}
				if len(jose.Addresses) != 1 || jose.Addresses[0].Street != "Calle Mayor 1\n2º izquierda" {
					t.Fatalf("addresses %+v", jose.Addresses)
				}
				wang := createContact(t, c, map[string]any{"given_name": "小明", "family_name": "王", "tags": []string{tag}})
				mohammed := createContact(t, c, map[string]any{"display_name": "محمد", "tags": []string{tag},
					"emails": []map[string]any{{"address": "mohammed@example.com"}}})
				if wang.Name != "王小明" || mohammed.Name != "محمد" {
					t.Fatalf("names %q %q", wang.Name, mohammed.Name)
				}

				// What GET returns is what POST returned.
				if got := getContact(t, c, jose.ID); mustMarshal(t, got) != mustMarshal(t, jose) {
					t.Fatalf("GET differs from POST:\n%s\n%s", mustMarshal(t, got), mustMarshal(t, jose))
				}

				// A to Z by family name, in byte order of the folded key.
				all := listContacts(t, c, url.Values{"tag": {tag}})
				if got := names(all.Items); !slices.Equal(got, []string{"José Álvarez", "محمد", "王小明"}) || all.NextCursor != nil {
					t.Fatalf("list by tag: %q next %v", got, all.NextCursor)
				}
				for q, want := range map[string]string{"álvarez": "José Álvarez", "ALVAREZ": "José Álvarez", "王": "王小明",
					"محمد": "محمد", "mohammed@example": "محمد", "ñandú": "José Álvarez", "7946": "José Álvarez"} {
					if got := names(listContacts(t, c, url.Values{"tag": {tag}, "q": {q}}).Items); !slices.Equal(got, []string{want}) {
						t.Errorf("search %q: %q, want %q", q, got, want)
					}
				}

				// PATCH changes only what it carries.
				r := c.JSON(http.MethodPatch, fmt.Sprintf("/api/v1/contacts/%d", jose.ID), map[string]any{"version": 1, "title": "CTO", "birthday": nil})
				if r.Status != http.StatusOK {
					t.Fatalf("patch: %d %.500s", r.Status, r.Body)
				}
				var patched apiContact
				r.Decode(t, &patched)
				if patched.Version != 2 || patched.Title != "CTO" || patched.Birthday != nil || patched.GivenName != "José" ||
					len(patched.Emails) != 2 || len(patched.Tags) != 2 || len(patched.SocialProfiles) != 2 || patched.About != jose.About ||
					patched.CompanyID == nil || *patched.CompanyID != *jose.CompanyID {
					t.Fatalf("patched: %+v", patched)
				}
				// A list given replaces the list; null empties it.
				r = c.JSON(http.MethodPatch, fmt.Sprintf("/api/v1/contacts/%d", jose.ID), map[string]any{"version": 2,
					"tags": []string{tag}, "addresses": nil, "company": nil})
				r.Decode(t, &patched)
				if r.Status != http.StatusOK || !slices.Equal(patched.Tags, []string{tag}) || len(patched.Addresses) != 0 ||
					patched.Company != nil || patched.CompanyID != nil || len(patched.Phones) != 1 {
					t.Fatalf("patch lists: %d %+v", r.Status, patched)
				}

				if r := c.JSON(http.MethodDelete, fmt.Sprintf("/api/v1/contacts/%d", jose.ID), nil); r.Status != http.StatusNoContent || r.Body != "" {
					t.Fatalf("delete: %d %q", r.Status, r.Body)
				}
				problem(t, c.Get(fmt.Sprintf("/api/v1/contacts/%d", jose.ID)), http.StatusNotFound)
				problem(t, c.JSON(http.MethodDelete, fmt.Sprintf("/api/v1/contacts/%d", jose.ID), nil), http.StatusNotFound)
				problem(t, c.JSON(http.MethodPatch, fmt.Sprintf("/api/v1/contacts/%d", jose.ID), map[string]any{"version": 3, "title": "x"}), http.StatusNotFound)
				if got := names(listContacts(t, c, url.Values{"tag": {tag}}).Items); !slices.Equal(got, []string{"محمد", "王小明"}) {
					t.Fatalf("deleted contact still listed: %q", got)
				}
				problem(t, c.Get("/api/v1/contacts/not-an-id"), http.StatusNotFound)

				// Every change is in the audit trail, under the user.
				evs, err := db.AuditEvents(ctx, models.System, models.AuditListOptions{ActorID: u.ID, Limit: 200})
				if err != nil {
					t.Fatal(err)
				}
				var actions []string
				for _, ev := range evs {
					if ev.SubjectID != nil && *ev.SubjectID == jose.ID && ev.SubjectType == "contact" {
						actions = append(actions, ev.Action)
					}
				}
				slices.Sort(actions)
				if want := []string{"contact.create", "contact.delete", "contact.update", "contact.update"}; !slices.Equal(actions, want) {
					t.Fatalf("audit of contact %d: %v, want %v", jose.ID, actions, want)
				}
			})
		}
	})
}

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The contact and company responses carry exactly the members
// openapi.json documents, nested ones included: nothing internal leaks and
// nothing documented is missing.
func TestContactAPIShapeMatchesOpenAPI(t *testing.T) {
	var spec struct {
		Components struct {
			Schemas map[string]schemaDoc `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(app.OpenAPISpec(), &spec); err != nil {
		t.Fatal(err)
	}
	documented := func(name string) []string {
		keys := spec.Components.Schemas[name].members(spec.Components.Schemas)
		slices.Sort(keys)
		return keys
	}
	srv := apptest.Start(t, dbtest.Shared(t, "sqlite"))
	c, _ := apiClient(t, srv, "bearer", models.RoleMember, "Sales")
	email := apptest.Unique("shape") + "@example.com"
	ct := createContact(t, c, map[string]any{"given_name": "Shape", "emails": []map[string]any{{"address": email}},
		"phones": []map[string]any{{"number": "+1 650 253 0000"}}, "addresses": []map[string]any{{"city": "Lyon"}},
		"social_profiles": []map[string]any{{"url": "https://github.com/shape"}}, "company": apptest.Unique("Shape Co ")})
	var contact map[string]json.RawMessage
	c.Get(fmt.Sprintf("/api/v1/contacts/%d", ct.ID)).Decode(t, &contact)
	var list struct{ Items []map[string]json.RawMessage }
	c.Get("/api/v1/contacts?email="+url.QueryEscape(email)).Decode(t, &list)
	var company map[string]json.RawMessage
	c.Get(fmt.Sprintf("/api/v1/companies/%d", *ct.CompanyID)).Decode(t, &company)
	nested := func(obj map[string]json.RawMessage, key string) map[string]json.RawMessage {
		var items []map[string]json.RawMessage
		if err := json.Unmarshal(obj[key], &items); err != nil || len(items) == 0 {
			t.Fatalf("%s: %s", key, obj[key])
		}
		return items[0]
	}
	for _, tc := range []struct {
		schema string
		obj    map[string]json.RawMessage
	}{
		{"Contact", contact}, {"ContactSummary", list.Items[0]}, {"Company", company},
		{"Email", nested(contact, "emails")}, {"Phone", nested(contact, "phones")},
		{"Address", nested(contact, "addresses")}, {"SocialProfile", nested(contact, "social_profiles")},
	} {
		var got []string
		for k := range tc.obj {
			got = append(got, k)
		}
		slices.Sort(got)
		if want := documented(tc.schema); !slices.Equal(got, want) {
			t.Errorf("%s members %v, documented %v", tc.schema, got, want)
		}
	}
}

// schemaDoc is as much of an OpenAPI schema as the shape test reads.
type schemaDoc struct {
	Ref        string                     `json:"$ref"`
	Properties map[string]json.RawMessage `json:"properties"`
	AllOf      []schemaDoc                `json:"allOf"`
}

// members lists the properties a schema documents, through allOf and $ref.
func (s schemaDoc) members(all map[string]schemaDoc) []string {
	if s.Ref != "" {
		return all[strings.TrimPrefix(s.Ref, "#/components/schemas/")].members(all)
	}
	var keys []string
	for k := range s.Properties {
		keys = append(keys, k)
	}
	for _, part := range s.AllOf {
		keys = append(keys, part.members(all)...)
	}
	return keys
}

// Typing a name a letter at a time finds the contact early, whichever
// part of it is typed and however it is accented.
func TestContactAPISearchAsYouType(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		c, _ := apiClient(t, srv, "bearer", models.RoleMember, "Sales")
		tag := apptest.Unique("typing")
		createContact(t, c, map[string]any{"given_name": "José", "family_name": "Álvarez", "tags": []string{tag},
			"emails": []map[string]any{{"address": "jose.alvarez@example.com"}}, "phones": []map[string]any{{"number": "+1 650 253 0000"}, {"number": "+44 20 7946 0958"}},
			"company": apptest.Unique("Globex ")})
		createContact(t, c, map[string]any{"given_name": "Ana", "family_name": "Alvarado", "tags": []string{tag}})
		createContact(t, c, map[string]any{"given_name": "Pedro", "family_name": "Pérez", "tags": []string{tag}})
		createContact(t, c, map[string]any{"display_name": "王小明", "given_name": "小明", "family_name": "王", "tags": []string{tag}})

		both := []string{"Ana Alvarado", "José Álvarez"}
		jose := []string{"José Álvarez"}
		for _, tc := range []struct {
			q    string
			want []string
		}{
			{"Á", both}, {"Ál", both}, {"alv", both}, {"Alva", both}, {"Álvar", both}, {"Álvare", jose}, {"Álvarez", jose},
			{"alvarez j", jose}, {"alvarez jo", jose}, {"José Álvarez", jose}, {"JOSE ALVAREZ", jose},
			{"jos", jose}, {"jose.alv", jose}, {"globex", jose}, {"650-253", jose}, {"(650) 253-0000", jose},
			// A number's forms: in E.164, without "+", as dialled at home
			// (with the UK's trunk 0, which E.164 drops).
			{"+16502530000", jose}, {"16502530000", jose}, {"6502530000", jose}, {"02079460958", jose}, {"020 7946 0958", jose},
			{"p", []string{"Pedro Pérez"}}, {"pe", []string{"Pedro Pérez"}}, {"perez", []string{"Pedro Pérez"}},
			{"王", []string{"王小明"}}, {"王小明", []string{"王小明"}},
			{"zz", nil}, {"álvarez pedro", nil}, {"", []string{"Ana Alvarado", "José Álvarez", "Pedro Pérez", "王小明"}},
		} {
			got := names(listContacts(t, c, url.Values{"tag": {tag}, "q": {tc.q}}).Items)
			if !slices.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Errorf("q=%q: %q, want %q", tc.q, got, tc.want)
			}
		}
	})
}

// Paging through 120 contacts, many with the same name, in every order,
// returns each exactly once.
func TestContactAPIPagination(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		c, u := apiClient(t, srv, "bearer", models.RoleMember, "Sales")
		tag := apptest.Unique("pages")
		base := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
		for i := range 120 {
			req := models.ContactRequest{GivenName: "Anna", FamilyName: "Müller", Tags: []string{tag}}
			if i%2 == 0 {
				req.FamilyName = fmt.Sprintf("Zeta %03d", i%7) // a few distinct names, repeated
			}
			if i%3 == 0 {
				at := base.Add(time.Duration(i%5) * time.Hour) // ties here too; a third never contacted
				req.LastContactedAt = &at
			}
			if _, err := db.CreateContact(ctx, u.Actor("token"), req); err != nil {
				t.Fatal(err)
			}
		}
		for _, sort := range []string{"name", "updated", "created", "last_contacted"} {
			seen := map[int64]bool{}
			pages := 0
			q := url.Values{"tag": {tag}, "sort": {sort}, "limit": {"25"}}
			for {
				page := listContacts(t, c, q)
				pages++
				for _, ct := range page.Items {
					if seen[ct.ID] {
						t.Fatalf("sort %s: contact %d on two pages", sort, ct.ID)
					}
					seen[ct.ID] = true
				}
				if page.NextCursor == nil {
					break
				}
				if len(page.Items) != 25 || pages > 10 {
					t.Fatalf("sort %s: page %d has %d items", sort, pages, len(page.Items))
				}
				q.Set("cursor", *page.NextCursor)
			}
			if len(seen) != 120 || pages != 5 {
				t.Fatalf("sort %s: %d contacts in %d pages, want 120 in 5", sort, len(seen), pages)
			}
		}
		first := listContacts(t, c, url.Values{"tag": {tag}, "limit": {"10"}})
		// A cursor belongs to its order.
		p := problem(t, c.Get("/api/v1/contacts?"+url.Values{"tag": {tag}, "sort": {"created"}, "cursor": {*first.NextCursor}}.Encode()), http.StatusUnprocessableEntity)
		if p.Errors["cursor"] == "" {
			t.Fatalf("cursor of another order: %+v", p)
		}
		for _, tc := range []struct {
			query  string
			status int
			field  string
		}{
			{"cursor=garbage", http.StatusUnprocessableEntity, "cursor"},
			{"sort=age", http.StatusUnprocessableEntity, "sort"},
			{"limit=0", http.StatusUnprocessableEntity, "limit"},
			{"limit=201", http.StatusUnprocessableEntity, "limit"},
			{"limit=ten", http.StatusBadRequest, ""},
			{"company_id=acme", http.StatusBadRequest, ""},
			{"tags=vip", http.StatusUnprocessableEntity, "tags"},
			{"q=a&q=b", http.StatusUnprocessableEntity, "q"},
		} {
			p := problem(t, c.Get("/api/v1/contacts?"+tc.query), tc.status)
			if tc.field != "" && p.Errors[tc.field] == "" {
				t.Errorf("%s: errors %v, want one for %s", tc.query, p.Errors, tc.field)
			}
		}
	})
}

// Bad input is refused with a message that says what to fix, and leaves
// nothing behind.
func TestContactAPIRefusesBadInput(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db, "RAPPORT_MAX_BODY_BYTES", "65536")
		c, u := apiClient(t, srv, "bearer", models.RoleMember, "Sales")
		other, err := db.CreateDepartment(ctx, apptest.Unique("Elsewhere"))
		if err != nil {
			t.Fatal(err)
		}
		orphanCompany := apptest.Unique("Initech ")
		const jsonType = "application/json"
		for _, tc := range []struct {
			name        string
			contentType string
			body        string
			status      int
			field       string // the member errors must name, for 422s
			detail      string // part of the message, for 400s
		}{
			{"syntax", jsonType, `{"given_name": "Ada",}`, 400, "", "line 1, column 22"},
			{"syntax on a later line", jsonType, "{\n  \"given_name\": \"Ada\"\n  \"family_name\": \"L\"\n}", 400, "", "line 3, column 3"},
			{"truncated", jsonType, `{"given_name": "Ada"`, 400, "", "ends before"},
			{"empty", jsonType, ``, 400, "", "empty"},
			{"not an object", jsonType, `["Ada"]`, 400, "", "must be a JSON object"},
			{"wrong type", jsonType, `{"given_name": 42}`, 400, "", "given_name must be text (a JSON string), not a number"},
			{"wrong nested type", jsonType, `{"given_name": "Ada", "emails": [{"address": "a@example.com", "primary": "yes"}]}`, 400, "", "emails.primary must be true or false"},
			{"fraction for an id", jsonType, `{"given_name": "Ada", "owner_id": 1.5}`, 400, "", "owner_id must be a whole number"},
			{"custom field of the wrong type", jsonType, `{"given_name": "Ada", "custom_fields": {"tier": true}}`, 400, "", "custom_fields.tier must be text or a number"},
			{"form body", "application/x-www-form-urlencoded", `given_name=Ada`, 415, "", "Content-Type: application/json"},
			{"unknown field", jsonType, `{"given_name": "Ada", "nickname": "Addy"}`, 422, "nickname", ""},
			{"field in the wrong case", jsonType, `{"Given_Name": "Ada"}`, 422, "Given_Name", ""},
			{"unknown nested field", jsonType, `{"given_name": "Ada", "emails": [{"adress": "a@example.com"}]}`, 422, "emails[0].adress", ""},
			{"read-only field", jsonType, `{"given_name": "Ada", "id": 7}`, 422, "id", ""},
			{"read-only nested field", jsonType, `{"given_name": "Ada", "phones": [{"number": "+1 650 253 0000", "e164": "+16502530000"}]}`, 422, "phones[0].e164", ""},
			{"version on create", jsonType, `{"given_name": "Ada", "version": 1}`, 422, "version", ""},
			{"no name", jsonType, `{"title": "CTO"}`, 422, "name", ""},
			{"invalid email", jsonType, `{"given_name": "Ada", "company": "` + orphanCompany + `", "emails": [{"address": "ada@"}]}`, 422, "emails[0]", ""},
			{"invalid phone", jsonType, `{"given_name": "Ada", "phones": [{"number": "12"}]}`, 422, "phones[0]", ""},
			{"long name", jsonType, `{"given_name": "` + strings.Repeat("x", 10000) + `"}`, 422, "given_name", ""},
			{"long title", jsonType, `{"given_name": "Ada", "title": "` + strings.Repeat("é", 201) + `"}`, 422, "title", ""},
			{"unknown custom field", jsonType, `{"given_name": "Ada", "custom_fields": {"no_such_field": "x"}}`, 422, "custom_fields.no_such_field", ""},
			{"bad birthday", jsonType, `{"given_name": "Ada", "birthday": "21/07/1984"}`, 422, "birthday", ""},
			{"birthday without a year, no such day", jsonType, `{"given_name": "Ada", "birthday": "--02-30"}`, 422, "birthday", ""},
			{"bad time", jsonType, `{"given_name": "Ada", "last_contacted_at": "yesterday"}`, 422, "last_contacted_at", ""},
			{"company twice", jsonType, `{"given_name": "Ada", "company": "Acme", "company_id": 1}`, 422, "company", ""},
			{"no such company", jsonType, `{"given_name": "Ada", "company_id": 99999999}`, 422, "company_id", ""},
			{"no such owner", jsonType, `{"given_name": "Ada", "owner_id": 99999999}`, 422, "owner_id", ""},
			{"someone else's department", jsonType, fmt.Sprintf(`{"given_name": "Ada", "restricted_department_id": %d}`, other.ID), 422, "restricted_department_id", ""},
			{"profile without url", jsonType, `{"given_name": "Ada", "social_profiles": [{"network": "github", "handle": "ada"}]}`, 422, "social_profiles[0]", ""},
			{"handle Rapport would drop", jsonType, `{"given_name": "Ada", "social_profiles": [{"url": "https://example.com/ada", "handle": "ada"}]}`, 422, "social_profiles[0]", ""},
			{"handle not the url's", jsonType, `{"given_name": "Ada", "social_profiles": [{"url": "https://github.com/ada", "handle": "bob"}]}`, 422, "social_profiles[0]", ""},
			{"too large", jsonType, `{"given_name": "Ada", "about": "` + strings.Repeat("a", 70000) + `"}`, 413, "", "larger than this server accepts"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before, err := db.CountContacts(ctx, u.Actor("token"), models.ContactListOptions{})
				if err != nil {
					t.Fatal(err)
				}
				p := problem(t, sendRaw(t, srv, c, http.MethodPost, "/api/v1/contacts", tc.contentType, tc.body), tc.status)
				if tc.field != "" && (p.Errors[tc.field] == "" || len(p.Errors) != 1) {
					t.Errorf("errors %v, want one for %s", p.Errors, tc.field)
				}
				if !strings.Contains(p.Detail, tc.detail) {
					t.Errorf("detail %q, want it to say %q", p.Detail, tc.detail)
				}
				if strings.Contains(p.Detail, "Go struct") || strings.Contains(p.Detail, "json:") {
					t.Errorf("detail leaks the decoder's words: %q", p.Detail)
				}
				if after, _ := db.CountContacts(ctx, u.Actor("token"), models.ContactListOptions{}); after != before {
					t.Errorf("a refused contact was saved: %d contacts, then %d", before, after)
				}
			})
		}
		if _, err := db.CompanyByNameOrDomain(ctx, u.Actor("token"), orphanCompany); err == nil {
			t.Error("a refused contact's company was created")
		}

		// HTML is plain text: stored and returned exactly as sent.
		html := `<script>alert("x")</script> & <b>bold</b>`
		ct := createContact(t, c, map[string]any{"given_name": html, "about": html, "tags": []string{"<i>tag</i>"}})
		if got := getContact(t, c, ct.ID); got.GivenName != html || got.About != html || got.Tags[0] != "<i>tag</i>" {
			t.Fatalf("HTML not kept as text: %+v", got)
		}

		// A phone number alone is enough; the contact goes by it.
		byPhone := createContact(t, c, map[string]any{"phones": []map[string]any{{"number": "+44 20 7946 0123"}}})
		if byPhone.Name != "+44 20 7946 0123" {
			t.Errorf("a phone-only contact is named %q", byPhone.Name)
		}

		// A refused PATCH changes nothing, not even its valid fields.
		path := fmt.Sprintf("/api/v1/contacts/%d", ct.ID)
		for _, tc := range []struct {
			name   string
			body   string
			status int
			field  string
		}{
			{"no version", `{"title": "CTO"}`, 422, "version"},
			{"null version", `{"version": null, "title": "CTO"}`, 422, "version"},
			{"zero version", `{"version": 0, "title": "CTO"}`, 422, "version"},
			{"version as text", `{"version": "1", "title": "CTO"}`, 400, ""},
			{"invalid email", `{"version": 1, "title": "CTO", "emails": [{"address": "nope"}]}`, 422, "emails[0]"},
			{"unknown field", `{"version": 1, "title": "CTO", "job": "CTO"}`, 422, "job"},
			{"long name", `{"version": 1, "title": "CTO", "family_name": "` + strings.Repeat("y", 10000) + `"}`, 422, "family_name"},
			{"null custom fields", `{"version": 1, "custom_fields": null}`, 422, "custom_fields"},
			{"clearing every name", `{"version": 1, "given_name": null}`, 422, "name"},
			{"read-only field", `{"version": 1, "created_at": "2020-01-01T00:00:00Z"}`, 422, "created_at"},
		} {
			t.Run("patch "+tc.name, func(t *testing.T) {
				p := problem(t, sendRaw(t, srv, c, http.MethodPatch, path, jsonType, tc.body), tc.status)
				if tc.field != "" && p.Errors[tc.field] == "" {
					t.Errorf("errors %v, want one for %s", p.Errors, tc.field)
				}
				if tc.name == "no version" && !strings.Contains(p.Errors["version"], "required") {
					t.Errorf("missing version: %q should say it is required", p.Errors["version"])
				}
				if got := getContact(t, c, ct.ID); got.Version != 1 || got.Title != "" || got.GivenName != html {
					t.Errorf("refused patch changed the contact: %+v", got)
				}
			})
		}
	})
}

// Two people edit the same contact: the second is told, shown the
// current contact, and redoes the change on top of it.
func TestContactAPIConflict(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		alice, _ := apiClient(t, srv, "bearer", models.RoleMember, "Sales")
		bob, _ := apiClient(t, srv, "session", models.RoleMember, "Sales")
		ct := createContact(t, alice, map[string]any{"given_name": "Zoë", "family_name": "Ng"})
		path := fmt.Sprintf("/api/v1/contacts/%d", ct.ID)

		readByAlice, readByBob := getContact(t, alice, ct.ID), getContact(t, bob, ct.ID)
		r := alice.JSON(http.MethodPatch, path, map[string]any{"version": readByAlice.Version, "title": "CEO"})
		if r.Status != http.StatusOK {
			t.Fatalf("first patch: %d %s", r.Status, r.Body)
		}
		r = bob.JSON(http.MethodPatch, path, map[string]any{"version": readByBob.Version, "phones": []map[string]any{{"number": "+44 20 7946 0958"}}})
		p := problem(t, r, http.StatusConflict)
		var conflict struct {
			Current apiContact `json:"current"`
		}
		r.Decode(t, &conflict)
		if conflict.Current.ID != ct.ID || conflict.Current.Version != 2 || conflict.Current.Title != "CEO" || len(conflict.Current.Phones) != 0 {
			t.Fatalf("409 current: %+v (%s)", conflict.Current, p.Detail)
		}
		// Redone against the current version, both changes stand.
		r = bob.JSON(http.MethodPatch, path, map[string]any{"version": conflict.Current.Version, "phones": []map[string]any{{"number": "+44 20 7946 0958"}}})
		if r.Status != http.StatusOK {
			t.Fatalf("retried patch: %d %s", r.Status, r.Body)
		}
		got := getContact(t, alice, ct.ID)
		if got.Version != 3 || got.Title != "CEO" || len(got.Phones) != 1 || got.GivenName != "Zoë" {
			t.Fatalf("after both edits: %+v", got)
		}
		// A patch that changes nothing keeps the version.
		r = alice.JSON(http.MethodPatch, path, map[string]any{"version": 3, "title": "CEO"})
		var same apiContact
		r.Decode(t, &same)
		if r.Status != http.StatusOK || same.Version != 3 {
			t.Fatalf("no-op patch: %d version %d", r.Status, same.Version)
		}
	})
}

// Viewers read but never write, whatever they send.
func TestContactAPIViewerCannotWrite(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		member, _ := apiClient(t, srv, "bearer", models.RoleMember, "Sales")
		ct := createContact(t, member, map[string]any{"given_name": "Read", "family_name": "Only"})
		r := member.JSON(http.MethodPost, "/api/v1/companies", map[string]any{"name": apptest.Unique("Viewed Co ")})
		var co struct{ ID int64 }
		r.Decode(t, &co)
		for _, mode := range authModes {
			t.Run(mode, func(t *testing.T) {
				viewer, _ := apiClient(t, srv, mode, models.RoleViewer, "Sales")
				if got := getContact(t, viewer, ct.ID); got.Name != "Read Only" {
					t.Fatalf("viewer reading: %+v", got)
				}
				if r := viewer.Get("/api/v1/contacts?q=only"); r.Status != http.StatusOK {
					t.Fatalf("viewer listing: %d", r.Status)
				}
				for _, w := range []struct {
					method, path string
					body         any
				}{
					{http.MethodPost, "/api/v1/contacts", map[string]any{"given_name": "Nope"}},
					{http.MethodPost, "/api/v1/contacts", map[string]any{"nonsense": true}},
					{http.MethodPatch, fmt.Sprintf("/api/v1/contacts/%d", ct.ID), map[string]any{"version": 1, "title": "Nope"}},
					{http.MethodDelete, fmt.Sprintf("/api/v1/contacts/%d", ct.ID), nil},
					{http.MethodPost, "/api/v1/companies", map[string]any{"name": "Nope"}},
					{http.MethodPatch, fmt.Sprintf("/api/v1/companies/%d", co.ID), map[string]any{"version": 1, "name": "Nope"}},
				} {
					p := problem(t, viewer.JSON(w.method, w.path, w.body), http.StatusForbidden)
					if !strings.Contains(p.Detail, "can read but not change") {
						t.Errorf("%s %s: %q", w.method, w.path, p.Detail)
					}
				}
				if got := getContact(t, member, ct.ID); got.Version != 1 {
					t.Fatalf("a viewer changed the contact: %+v", got)
				}
			})
		}
	})
}

// A contact restricted to a department does not exist for anyone outside
// it, admins included: not by id, not in lists, not in search.
func TestContactAPIDepartmentRestriction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		dept, other := apptest.Unique("Legal"), apptest.Unique("Outside")
		insider, insiderUser := apiClient(t, srv, "bearer", models.RoleMember, dept)
		outsider, _ := apiClient(t, srv, "session", models.RoleMember, other)
		admin, _ := apiClient(t, srv, "bearer", models.RoleAdmin, other)
		depID := insiderUser.Departments[0].ID
		tag := apptest.Unique("secret")
		hidden := createContact(t, insider, map[string]any{"given_name": "Quentin", "family_name": "Quiet", "tags": []string{tag},
			"restricted_department_id": depID, "emails": []map[string]any{{"address": tag + "@example.com"}}})
		open := createContact(t, insider, map[string]any{"given_name": "Olga", "family_name": "Open", "tags": []string{tag}})
		if hidden.RestrictedDepartmentID == nil || *hidden.RestrictedDepartmentID != depID {
			t.Fatalf("restriction not saved: %+v", hidden)
		}
		path := fmt.Sprintf("/api/v1/contacts/%d", hidden.ID)
		missing := problem(t, outsider.Get("/api/v1/contacts/999999999"), http.StatusNotFound)
		for _, c := range []*apptest.Client{outsider, admin} {
			p := problem(t, c.Get(path), http.StatusNotFound)
			if p.Detail != missing.Detail {
				t.Errorf("a hidden contact answers differently from a missing one: %q vs %q", p.Detail, missing.Detail)
			}
			problem(t, c.JSON(http.MethodPatch, path, map[string]any{"version": 1, "title": "Found you"}), http.StatusNotFound)
			problem(t, c.JSON(http.MethodDelete, path, nil), http.StatusNotFound)
			for _, q := range []url.Values{{"tag": {tag}}, {"q": {"quentin"}, "tag": {tag}}, {"q": {"qu"}, "tag": {tag}},
				{"email": {tag + "@example.com"}}, {"q": {tag}}} {
				if got := listContacts(t, c, q); len(got.Items) > 1 || (len(got.Items) == 1 && got.Items[0].ID != open.ID) {
					t.Errorf("hidden contact listed for %s: %q", q.Encode(), names(got.Items))
				}
			}
		}
		// The insider still has it, and may lift the restriction.
		if got := names(listContacts(t, insider, url.Values{"tag": {tag}}).Items); !slices.Equal(got, []string{"Olga Open", "Quentin Quiet"}) {
			t.Fatalf("insider's list: %q", got)
		}
		r := insider.JSON(http.MethodPatch, path, map[string]any{"version": 1, "restricted_department_id": nil})
		if r.Status != http.StatusOK {
			t.Fatalf("lift restriction: %d %s", r.Status, r.Body)
		}
		if got := getContact(t, outsider, hidden.ID); got.RestrictedDepartmentID != nil {
			t.Fatalf("unrestricted contact: %+v", got)
		}
	})
}

// A browser session must send the page's CSRF token with every change; a
// forged cross-site request is refused and changes nothing.
func TestContactAPIRequiresCSRFWithSession(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		c, u := srv.SignedIn(t, models.RoleMember, "Sales")
		ct := createContact(t, c, map[string]any{"given_name": "Cross", "family_name": "Site"})
		before, _ := db.CountContacts(ctx, u.Actor("session"), models.ContactListOptions{})
		for _, tc := range []struct{ method, path, body string }{
			{http.MethodPost, "/api/v1/contacts", `{"given_name": "Forged"}`},
			{http.MethodPatch, fmt.Sprintf("/api/v1/contacts/%d", ct.ID), `{"version": 1, "title": "Forged"}`},
			{http.MethodDelete, fmt.Sprintf("/api/v1/contacts/%d", ct.ID), ``},
			{http.MethodPost, "/api/v1/companies", `{"name": "Forged Inc"}`},
		} {
			for _, token := range []string{"", "not-the-token"} {
				req, err := http.NewRequestWithContext(ctx, tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Content-Type", "application/json")
				if token != "" {
					req.Header.Set("X-CSRF-Token", token)
				}
				problem(t, c.Do(req), http.StatusForbidden)
			}
		}
		if after, _ := db.CountContacts(ctx, u.Actor("session"), models.ContactListOptions{}); after != before {
			t.Fatalf("forged create saved a contact")
		}
		if got := getContact(t, c, ct.ID); got.Version != 1 || got.Title != "" {
			t.Fatalf("forged patch or delete changed the contact: %+v", got)
		}
		// Reading needs no token, and neither do requests with an API token.
		if r := c.Get("/api/v1/contacts?limit=1"); r.Status != http.StatusOK {
			t.Fatalf("GET with session: %d", r.Status)
		}
	})
}
