package browsertest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"rapport/app/apptest"
	"rapport/app/browsertest"
	"rapport/models"
	"rapport/models/dbtest"
)

const (
	inviteForm     = "form[action='/admin/invitations']"
	departmentForm = "form[action='/admin/departments']"
)

// An admin in Sales adds a Support department and invites a colleague into
// it; the colleague opens the link in a browser of their own, chooses a name
// and password, signs in with them, finds the contact everyone may see but
// not the one kept to Sales, and their note on it names Support.
func TestInvitationJourney(t *testing.T) {
	b := browsertest.Launch(t)
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		adminUser := apptest.User(t, db, models.RoleAdmin, "Sales")
		sales, err := db.DepartmentBySlugOrName(ctx, "Sales")
		if err != nil {
			t.Fatal(err)
		}
		a := adminUser.Actor("session")
		open, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Olga", FamilyName: "Offenbach", CompanyName: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Rita", FamilyName: "Rosenthal", CompanyName: "Acme",
			RestrictedDepartmentID: &sales.ID}); err != nil {
			t.Fatal(err)
		}

		ap := b.Open(t, srv.URL, browsertest.Desktop)
		ap.SignIn(adminUser.Email, apptest.Password)
		// The admin can find the Sales-only contact, so the colleague not
		// finding it below is the restriction, not the search.
		searchContacts(t, ap, "rosenthal", "Rita Rosenthal")

		ap.Go("/admin/users")
		if got := ap.Text("#depts-h + p"); strings.Contains(got, "Support") {
			t.Fatalf("a fresh install already has Support: %q", got)
		}
		ap.Fill("#f-department-name", "Support")
		if status := ap.ClickAndLoad(departmentForm + " button[type=submit]"); status != http.StatusOK {
			t.Fatalf("add the department: status %d: %s", status, ap.Text("main"))
		}
		if flash := ap.Text("#flash"); !strings.Contains(flash, "Support") {
			t.Errorf("flash after adding the department = %q", flash)
		}
		if got := ap.Text("#depts-h + p"); got != "Sales @sales · Support @support" {
			t.Errorf("the departments line = %q", got)
		}
		// Two forms share the page; a repeated id would tie a label to the
		// other form's field.
		if dup := browsertest.Eval[[]string](ap, `[...document.querySelectorAll("[id]")].map(e => e.id)
			.filter((id, i, ids) => ids.indexOf(id) !== i)`); len(dup) > 0 {
			t.Errorf("ids used twice on the users page: %q", dup)
		}
		support, err := db.DepartmentBySlugOrName(ctx, "Support")
		if err != nil {
			t.Fatalf("the department form did not create Support: %v", err)
		}
		ap.Screenshot("admin-department-added")

		email := apptest.Unique("cleo") + "@example.test"
		ap.Fill(inviteForm+" input[name=email]", email)
		ap.Fill(inviteForm+" input[name=name]", "Cleo")
		ap.Click(fmt.Sprintf(inviteForm+" input[name=department_ids][value='%d']", support.ID))
		if status := ap.ClickAndLoad(inviteForm + " button[type=submit]"); status != http.StatusCreated {
			t.Fatalf("create the invitation: status %d: %s", status, ap.Text("main"))
		}
		link := ap.Text("#invite-link")
		if !strings.HasPrefix(link, srv.URL+"/join/") {
			t.Fatalf("the invitation link %q does not point at this Rapport (%s)", link, srv.URL)
		}
		if pending := ap.Text("#pending-invitations tbody tr"); !strings.Contains(pending, email) || !strings.Contains(pending, "member") {
			t.Errorf("pending invitations = %q, want %s as a member", pending, email)
		}
		if dept := ap.Text("#pending-invitations td[data-label=Departments]"); dept != "Support" {
			t.Errorf("pending invitation's departments = %q, want Support", dept)
		}
		// Its heading sits like the other sections' headings, at the top of
		// a card of its own.
		if gap := browsertest.Eval[float64](ap, `(() => {
			const h = document.getElementById("pending-h"), card = h.closest(".card");
			return h.getBoundingClientRect().top - card.getBoundingClientRect().top;
		})()`); gap != browsertest.Eval[float64](ap, `document.getElementById("users-h").getBoundingClientRect().top -
			document.getElementById("users-h").closest(".card").getBoundingClientRect().top`) {
			t.Errorf("Pending invitations heading is %vpx into its card, unlike People's", gap)
		}
		ap.Screenshot("admin-invitation-link")

		// The colleague opens the link the admin passed on.
		u, err := url.Parse(link)
		if err != nil {
			t.Fatalf("parse the invitation link: %v", err)
		}
		cp := b.Open(t, srv.URL, browsertest.Desktop)
		if status := cp.Go(u.Path); status != http.StatusOK {
			t.Fatalf("open the invitation link: status %d: %s", status, cp.Text("main"))
		}
		if intro := cp.Text("main"); !strings.Contains(intro, email) {
			t.Errorf("the join page does not say who was invited: %q", intro)
		}
		if name := cp.Value("#f-name"); name != "Cleo" {
			t.Errorf("the join form's name = %q, want the name the admin gave", name)
		}
		cp.Screenshot("colleague-join-form")
		const name, password = "Cleo Colleague", "a long colleague password"
		cp.Fill("#f-name", name)
		cp.Fill("#f-password", password)
		if status := cp.ClickAndLoad("form[action^='/join/'] button[type=submit]"); status != http.StatusOK {
			t.Fatalf("join: ended on %s with status %d: %s", cp.Path(), status, cp.Text("main"))
		}
		if flash := cp.Text("#flash"); !strings.Contains(flash, "Welcome to Rapport, "+name) {
			t.Errorf("flash after joining = %q", flash)
		}
		cp.Screenshot("colleague-joined")

		// The link worked once; the password chosen on it signs in.
		cp.AllowStatus(http.StatusNotFound, u.Path)
		if status := cp.Go(u.Path); status != http.StatusNotFound {
			t.Errorf("the used invitation link answers %d, want 404", status)
		}
		cp.ClickAndLoad(signOut)
		cp.SignIn(email, password)
		if h1 := cp.Text("h1"); !strings.Contains(h1, name) {
			t.Errorf("Today's heading after signing in = %q, want %s", h1, name)
		}

		searchContacts(t, cp, "offenbach", "Olga Offenbach")
		cp.Screenshot("colleague-finds-open-contact")
		searchContacts(t, cp, "rosenthal", "")
		cp.Screenshot("colleague-cannot-find-sales-contact")

		cp.Go(fmt.Sprintf("/contacts/%d", open.ID))
		cp.Fill("#f-note-body", "Called about the renewal; sending the quote today.")
		cp.Click("form.note-composer button[type=submit]")
		waitFor(t, cp, func() bool { return strings.Contains(textOf(cp, "#notes .note-list"), "sending the quote today") })
		if head := cp.Text("#notes .note-list .note-head"); !strings.Contains(head, name+" · Support") {
			t.Errorf("the note is attributed as %q, want %s · Support", head, name)
		}
		cp.Screenshot("colleague-note")

		// The admin sees the colleague among the people, in Support, and
		// the invitation no longer pending.
		ap.Go("/admin/users")
		row := browsertest.Eval[string](ap, fmt.Sprintf(`(() => {
			const tr = [...document.querySelectorAll("#users-h ~ table tbody tr")].find(tr => tr.textContent.includes(%q));
			if (!tr) return "";
			const checked = [...tr.querySelectorAll("input[name=department_ids]:checked")].map(i => i.parentElement.textContent.trim());
			return tr.cells[0].textContent.trim() + " | " + tr.querySelector("select").value + " | " + checked.join(",");
		})()`, email))
		if want := name + " | member | Support"; row != want {
			t.Errorf("the colleague's row on the users page = %q, want %q", row, want)
		}
		if ap.Visible("#invite-h ~ ul") && strings.Contains(ap.Text("#invite-h ~ ul"), email) {
			t.Error("the accepted invitation is still listed as pending")
		}
		ap.Screenshot("admin-sees-colleague")
	})
}

// searchContacts types q into the contact search and waits until the
// results show want, or, when want is empty, until they say nothing matched.
func searchContacts(t *testing.T, p *browsertest.Page, q, want string) {
	t.Helper()
	p.Go("/contacts")
	p.Fill("#f-q", q)
	if want == "" {
		waitFor(t, p, func() bool {
			return strings.Contains(p.Path(), "q="+q) && strings.Contains(textOf(p, "#contact-results"), "No contacts match")
		})
		return
	}
	waitFor(t, p, func() bool { return strings.Contains(textOf(p, "#contact-results"), want) })
}
