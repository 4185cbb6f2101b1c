package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

func TestExportRespectsVisibilityGuardsFormulasAndIsAudited(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		c, u := srv.SignedIn(t, models.RoleMember, "Sales")
		billing := apptest.User(t, db, models.RoleMember, "Billing")
		tag := apptest.Unique("exp")
		mine, err := db.CreateContact(ctx, u.Actor("session"), models.ContactRequest{GivenName: "=HYPERLINK(\"http://evil\")",
			FamilyName: "Zoë " + tag, Tags: []string{tag}, Phones: []models.PhoneInput{{Number: "+44 20 7946 0958"}},
			About: "Line one\nLine two"})
		if err != nil {
			t.Fatal(err)
		}
		bdep := billing.Departments[0].ID
		if _, err := db.CreateContact(ctx, billing.Actor("session"), models.ContactRequest{GivenName: "Hidden", FamilyName: tag,
			Tags: []string{tag}, RestrictedDepartmentID: &bdep}); err != nil {
			t.Fatal(err)
		}

		r := c.Get("/export/contacts?format=csv&tag=" + tag)
		if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("csv export: %d %v", r.Status, r.Header)
		}
		if !strings.Contains(r.Body, "Zoë "+tag) || strings.Contains(r.Body, "Hidden") {
			t.Fatalf("export must hold the visible contact only:\n%s", r.Body)
		}
		if strings.Contains(r.Body, ",=HYPERLINK") || strings.Contains(r.Body, "\n=HYPERLINK") || !strings.Contains(r.Body, "'=HYPERLINK") {
			t.Fatalf("formula not neutralised:\n%s", r.Body)
		}
		if !strings.Contains(r.Body, "Line one\nLine two") {
			t.Error("multi-line notes must survive")
		}
		excel := c.Get("/export/contacts?format=csv&excel=1&tag=" + tag)
		if !strings.HasPrefix(excel.Body, "\uFEFF") || !strings.Contains(strings.SplitN(excel.Body, "\n", 2)[0], ";") {
			t.Error("Excel export needs a BOM and semicolons")
		}
		vc := c.Get("/export/contacts?format=vcard&tag=" + tag)
		if !strings.HasPrefix(vc.Header.Get("Content-Type"), "text/vcard") || strings.Count(vc.Body, "BEGIN:VCARD") != 1 || strings.Contains(vc.Body, "Hidden") {
			t.Fatalf("vcard export:\n%s", vc.Body)
		}
		if r := c.Get("/export/contacts?format=xlsx"); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("unknown format: %d", r.Status)
		}
		admin := apptest.User(t, db, models.RoleAdmin, "Sales")
		evs, err := db.AuditEvents(ctx, admin.Actor("session"), models.AuditListOptions{Action: "contact.export", ActorID: u.ID, Limit: 10})
		if err != nil || len(evs) < 3 || !strings.Contains(evs[0].Detail, `"contacts":1`) {
			t.Fatalf("exports not audited: %v %v", evs, err)
		}
		_ = mine
		if r := srv.NewClient(t).Get("/export/contacts"); r.Status != http.StatusSeeOther {
			t.Fatalf("anonymous export: %d", r.Status)
		}
	})
}
