package browsertest_test

import (
	"context"
	"testing"
	"time"

	"rapport/app/apptest"
	"rapport/app/browsertest"
	"rapport/models"
	"rapport/models/dbtest"
)

// On a 1280 px screen the navigation, with its badges and a long user
// name, stays on one line: a wrapped bar pushes the page down and splits
// the user menu from the links.
func TestNavigationIsOneLineOnADesktop(t *testing.T) {
	b := browsertest.Launch(t)
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		srv := apptest.Start(t, db)
		u := apptest.User(t, db, models.RoleAdmin, "Customer Success")
		ctx := context.Background()
		a := u.Actor("test")
		ct, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Nav", FamilyName: "Badge"})
		if err != nil {
			t.Fatal(err)
		}
		due := time.Now().Add(-72 * time.Hour)
		if _, err := db.CreateTask(ctx, a, models.TaskRequest{ContactID: ct.ID, Title: "Call back", DueAt: &due}); err != nil {
			t.Fatal(err)
		}
		p := b.Open(t, srv.URL, browsertest.Desktop)
		p.SignIn(u.Email, apptest.Password)
		p.Go("/")
		p.Screenshot("home-1280")
		if got := p.Text("#mainnav [data-nav-count=tasks]"); got != "1" {
			t.Errorf("overdue badge beside Tasks = %q, want 1", got)
		}
		// Every link and button of the bar sits on the same line as the brand.
		rows := browsertest.Eval[[]float64](p, `(() => {
			const mid = el => { const r = el.getBoundingClientRect(); return Math.round(r.top + r.height / 2); };
			return [mid(document.querySelector(".brand")), ...[...document.querySelectorAll("#mainnav a, #mainnav button, #mainnav .username")].map(mid)];
		})()`)
		for i, y := range rows {
			if y < rows[0]-8 || y > rows[0]+8 {
				t.Errorf("navigation element %d sits at y=%v, the brand at y=%v: the bar wraps", i, y, rows[0])
			}
		}
		if h := browsertest.Eval[float64](p, `document.querySelector(".topbar").getBoundingClientRect().height`); h > 72 {
			t.Errorf("the top bar is %v px tall: more than one line", h)
		}
		p.CheckFits()
	})
}
