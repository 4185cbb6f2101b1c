package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

// The contact list filters by the department that worked with a contact
// and by when it was last contacted, on the page and in the API alike.
func TestContactListActivityFiltersOverHTTP(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		c, clerk := apiClient(t, srv, "session", models.RoleMember, "Records")
		api, _ := apiClient(t, srv, "bearer", models.RoleMember, "Records")
		helper := apptest.User(t, db, models.RoleMember, "Support")
		support, err := db.DepartmentBySlugOrName(ctx, "Support")
		if err != nil {
			t.Fatal(err)
		}
		family := apptest.Unique("Filtered")
		mk := func(given string) *models.Contact {
			ct, err := db.CreateContact(ctx, clerk.Actor("session"), models.ContactRequest{GivenName: given, FamilyName: family})
			if err != nil {
				t.Fatal(err)
			}
			return ct
		}
		helped, recent := mk("Helped"), mk("Recent")
		mk("Quiet")
		if _, err := db.LogInteraction(ctx, helper.Actor("session"), models.InteractionRequest{Kind: "call", Direction: "inbound",
			OccurredAt: time.Now().AddDate(0, 0, -40), ContactIDs: []int64{helped.ID}, Subject: "Support call"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.LogInteraction(ctx, clerk.Actor("session"), models.InteractionRequest{Kind: "email", Direction: "outbound",
			OccurredAt: time.Now().Add(-time.Hour), ContactIDs: []int64{recent.ID}, Subject: "Hello"}); err != nil {
			t.Fatal(err)
		}
		names := func(body string) []string {
			var out []string
			for _, n := range []string{"Helped", "Recent", "Quiet"} {
				if strings.Contains(body, n+" "+family) {
					out = append(out, n)
				}
			}
			return out
		}
		weekAgo := time.Now().AddDate(0, 0, -7).Format(time.DateOnly)
		for _, tc := range []struct {
			query url.Values
			want  string
		}{
			{url.Values{"department_id": {fmt.Sprint(support.ID)}}, "Helped"},
			{url.Values{"contacted_from": {weekAgo}}, "Recent"},
			{url.Values{"contacted_to": {weekAgo}}, "Helped"},
			{url.Values{}, "Helped Recent Quiet"},
		} {
			tc.query.Set("q", family)
			page := c.Get("/contacts?" + tc.query.Encode())
			if got := strings.Join(names(page.Body), " "); page.Status != http.StatusOK || got != tc.want {
				t.Errorf("/contacts?%s lists %q (%d), want %q", tc.query.Encode(), got, page.Status, tc.want)
			}
		}
		page := c.Get("/contacts?q=" + family + "&department_id=" + fmt.Sprint(support.ID))
		if !strings.Contains(page.Body, `<option value="`+fmt.Sprint(support.ID)+`" selected>Support</option>`) {
			t.Error("the department filter does not show its choice")
		}
		if r := c.Get("/contacts?contacted_from=2024-05-02&contacted_to=2024-05-01"); r.Status != http.StatusBadRequest {
			t.Errorf("a range that ends before it starts: %d", r.Status)
		}

		// The API takes the same filters; its dates are UTC days.
		var out struct {
			Items []struct{ ID int64 } `json:"items"`
		}
		api.Get("/api/v1/contacts?q="+family+"&active_department_id="+fmt.Sprint(support.ID)).Decode(t, &out)
		if len(out.Items) != 1 || out.Items[0].ID != helped.ID {
			t.Errorf("API department filter: %+v, want only %d", out.Items, helped.ID)
		}
		api.Get("/api/v1/contacts?q="+family+"&last_contacted_from="+url.QueryEscape(time.Now().Add(-2*time.Hour).UTC().Format(time.RFC3339))).Decode(t, &out)
		if len(out.Items) != 1 || out.Items[0].ID != recent.ID {
			t.Errorf("API last_contacted_from: %+v, want only %d", out.Items, recent.ID)
		}
		p := problem(t, api.Get("/api/v1/contacts?last_contacted_from=2024-05-02&last_contacted_to=2024-05-01"), http.StatusUnprocessableEntity)
		if p.Errors["last_contacted_to"] == "" {
			t.Errorf("the 422 does not name last_contacted_to: %+v", p)
		}
		p = problem(t, api.Get("/api/v1/contacts?last_contacted_to=soon"), http.StatusUnprocessableEntity)
		if p.Errors["last_contacted_to"] == "" {
			t.Errorf("the 422 does not name last_contacted_to: %+v", p)
		}
	})
}
