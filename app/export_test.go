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

// TestExportCSVRoundTripsCustomFieldsAndEveryAddress exports a contact
// with custom field values and three addresses as CSV and imports that
// file back: all of it returns. Custom fields and a third office are data
// a customer keeps nowhere else.
func TestExportCSVRoundTripsCustomFieldsAndEveryAddress(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		tag := strings.ToLower(apptest.Unique("cf"))
		key := strings.ReplaceAll(tag, "-", "_")
		ctx, srv := context.Background(), apptest.Start(t, db)
		u := apptest.User(t, db, models.RoleAdmin, "Sales")
		c := tokenClient(t, srv, db, u)
		if _, err := db.CreateCustomFieldDef(ctx, u.Actor("session"), models.CustomFieldDefRequest{Key: key, Label: "Customer " + tag, Kind: models.CustomFieldText}); err != nil {
			t.Fatal(err)
		}
		want := "C-4411; gold, since 2019"
		ct, err := db.CreateContact(ctx, u.Actor("session"), models.ContactRequest{GivenName: "Ada", FamilyName: tag,
			Emails: []models.EmailInput{{Address: tag + "@example.test"}}, Tags: []string{tag}, CustomFields: map[string]string{key: want},
			Addresses: []models.AddressInput{{Label: "work", City: "London"}, {Label: "home", City: "Paris"}, {Label: "depot", Street: "1 Dock Rd", City: "Hull"}}})
		if err != nil {
			t.Fatal(err)
		}

		exp := c.Get("/export/contacts?format=csv&tag=" + tag)
		if exp.Status != http.StatusOK || !strings.Contains(exp.Body, want) {
			t.Fatalf("the export must hold the custom field's value %q:\n%s", want, exp.Body)
		}
		if err := db.DeleteContact(ctx, u.Actor("session"), ct.ID); err != nil {
			t.Fatal(err)
		}
		r := uploadImport(t, srv, c, "/api/v1/imports", "export.csv", exp.Body, nil)
		var im struct {
			ID int64 `json:"id"`
		}
		r.Decode(t, &im)
		if got := runImportJobs(t, db, im.ID); got.RowsCreated != 1 {
			t.Fatalf("re-import: %+v", got)
		}
		cs, err := db.Contacts(ctx, u.Actor("session"), models.ContactListOptions{Tag: tag})
		if err != nil || len(cs.Contacts) != 1 {
			t.Fatalf("after re-import: %+v %v", cs, err)
		}
		got, err := db.Contact(ctx, u.Actor("session"), cs.Contacts[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.CustomFields[key] != want {
			t.Errorf("custom field after the round trip: %q, want %q", got.CustomFields[key], want)
		}
		if len(got.Addresses) != 3 || got.Addresses[2].Label != "depot" || got.Addresses[2].Street != "1 Dock Rd" || got.Addresses[2].City != "Hull" {
			t.Errorf("addresses after the round trip: %+v", got.Addresses)
		}
	})
}

// TestExportBirthdayWithoutYearRoundTrips exports a contact whose birthday
// has no year as CSV, vCard 4 and vCard 3, each in the form other address
// books read, and imports each file back: the birthday returns as it was.
func TestExportBirthdayWithoutYearRoundTrips(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx, srv := context.Background(), apptest.Start(t, db)
		u := apptest.User(t, db, models.RoleAdmin, "Sales")
		a, c := u.Actor("session"), tokenClient(t, srv, db, u)
		for _, tt := range []struct{ query, file, written string }{
			{"format=csv", "export.csv", ",'--12-25"},
			{"format=vcard&vcard_version=4.0", "export.vcf", "\r\nBDAY:--1225\r\n"},
			{"format=vcard&vcard_version=3.0", "export.vcf", "\r\nBDAY;X-APPLE-OMIT-YEAR=1604:1604-12-25\r\n"},
		} {
			tag := strings.ToLower(apptest.Unique("bday"))
			ct, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Ada", FamilyName: tag, Birthday: "--12-25",
				Emails: []models.EmailInput{{Address: tag + "@example.test"}}, Tags: []string{tag}})
			if err != nil {
				t.Fatal(err)
			}
			exp := c.Get("/export/contacts?" + tt.query + "&tag=" + tag)
			if exp.Status != http.StatusOK || !strings.Contains(exp.Body, tt.written) {
				t.Fatalf("%s: the export must hold %q:\n%s", tt.query, tt.written, exp.Body)
			}
			if err := db.DeleteContact(ctx, a, ct.ID); err != nil {
				t.Fatal(err)
			}
			r := uploadImport(t, srv, c, "/api/v1/imports", tt.file, exp.Body, nil)
			var im struct {
				ID int64 `json:"id"`
			}
			r.Decode(t, &im)
			if got := runImportJobs(t, db, im.ID); got.RowsCreated != 1 {
				t.Fatalf("%s: re-import: %+v", tt.query, got)
			}
			cs, err := db.Contacts(ctx, a, models.ContactListOptions{Tag: tag})
			if err != nil || len(cs.Contacts) != 1 || cs.Contacts[0].Birthday != "--12-25" {
				t.Errorf("%s: after re-import: %+v %v", tt.query, cs.Contacts, err)
			}
		}
	})
}
