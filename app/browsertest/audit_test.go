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

// An admin outside a contact's department reads the audit log as anyone
// would: every event is there, and where the details would show the
// restricted contact or note, the row says they are withheld, on a desktop
// and on a phone.
func TestAuditLogWithheldJourney(t *testing.T) {
	b := browsertest.Launch(t)
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		alice := apptest.User(t, db, models.RoleMember, apptest.Unique("Sales"))
		a := alice.Actor("session")
		contactName := apptest.Unique("Zebedee")
		secret := apptest.Unique("acquisition price is")
		ct, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: contactName, RestrictedDepartmentID: &alice.Departments[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateNote(ctx, a, models.NoteRequest{ContactID: ct.ID, Body: secret, Visibility: models.NoteDepartment}); err != nil {
			t.Fatal(err)
		}
		admin := apptest.User(t, db, models.RoleAdmin, apptest.Unique("Support"))
		for screen, vp := range map[string]browsertest.Viewport{"desktop": browsertest.Desktop, "phone": browsertest.Phone} {
			p := b.Open(t, srv.URL, vp)
			p.SignIn(admin.Email, apptest.Password)
			p.Go(fmt.Sprintf("/admin/audit?actor=%d", alice.ID))
			rows := p.VisibleTexts("table tbody tr")
			if len(rows) != 2 {
				t.Fatalf("%s: %d audit rows, want the contact's creation and the note's: %q", screen, len(rows), rows)
			}
			for _, row := range rows {
				if !strings.Contains(row, "Details withheld") || strings.Contains(row, secret) || strings.Contains(row, contactName) {
					t.Errorf("%s: audit row %q", screen, row)
				}
			}
			p.CheckFits()
			p.Screenshot(screen + "-audit-withheld")
		}
	})
}
