package app_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

// The security review's case: a member of Sales writes a department-only
// note on a contact restricted to Sales. An admin of Support, to whom the
// contact is 404, still sees the events in the audit log, page and JSON,
// but neither the note's text nor the contact's name; an admin of Sales
// sees both.
func TestAuditLogWithholdsRestrictedDetails(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		sales := apptest.Unique("Sales")
		alice := apptest.User(t, db, models.RoleMember, sales)
		a := alice.Actor("session")
		name := apptest.Unique("Zebedee")
		secret := apptest.Unique("acquisition price is")
		ct, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: name, RestrictedDepartmentID: &alice.Departments[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		note, err := db.CreateNote(ctx, a, models.NoteRequest{ContactID: ct.ID, Body: secret, Visibility: models.NoteDepartment})
		if err != nil {
			t.Fatal(err)
		}

		outsider, _ := srv.SignedIn(t, models.RoleAdmin, apptest.Unique("Support"))
		if r := outsider.Get(fmt.Sprintf("/api/v1/contacts/%d", ct.ID)); r.Status != http.StatusNotFound {
			t.Fatalf("the outsider reads the contact: %d", r.Status)
		}
		page := outsider.Get(fmt.Sprintf("/admin/audit?actor=%d", alice.ID))
		if page.Status != http.StatusOK {
			t.Fatalf("audit log: %d", page.Status)
		}
		if strings.Contains(page.Body, secret) || strings.Contains(page.Body, name) {
			t.Error("the audit log shows the outsider the restricted note or contact")
		}
		for _, want := range []string{"note.create", "contact.create", "Details withheld"} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("the audit log lacks %q", want)
			}
		}
		evs := auditJSON(t, srv, outsider, alice.ID)
		if len(evs) != 2 {
			t.Fatalf("outsider's JSON: %d events, want both: %+v", len(evs), evs)
		}
		for _, e := range evs {
			if !e.Withheld || e.Detail != "" {
				t.Errorf("outsider's JSON: %+v", e)
			}
		}

		insider, _ := srv.SignedIn(t, models.RoleAdmin, sales)
		if page := insider.Get(fmt.Sprintf("/admin/audit?actor=%d", alice.ID)); !strings.Contains(page.Body, secret) || !strings.Contains(page.Body, name) {
			t.Error("the department's admin does not see the note and contact in the audit log")
		}
		for _, e := range auditJSON(t, srv, insider, alice.ID) {
			if e.Withheld || e.Detail == "" || (e.Action == "note.create" && *e.SubjectID != note.ID) {
				t.Errorf("insider's JSON: %+v", e)
			}
		}
	})
}

func auditJSON(t *testing.T, srv *apptest.Server, c *apptest.Client, actorID int64) []models.AuditEvent {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/admin/audit?actor=%d", srv.URL, actorID), nil)
	req.Header.Set("Accept", "application/json")
	r := c.Do(req)
	if r.Status != http.StatusOK {
		t.Fatalf("audit JSON: %d %.300s", r.Status, r.Body)
	}
	var body struct {
		Items []models.AuditEvent `json:"items"`
	}
	r.Decode(t, &body)
	return body.Items
}
