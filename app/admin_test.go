package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

var (
	inviteLink        = regexp.MustCompile(`id="invite-link">([^<]+)<`)
	pendingInvitation = regexp.MustCompile(`(?s)id="pending-invitations".*?<tbody><tr>.*?</tr>`)
)

// The journey: setup, invite a colleague into another department,
// both sign in, and the audit log shows it all.
func TestSetupInviteSignInAndAudit(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		admin := srv.NewClient(t)
		admin.Get("/setup")
		if r := admin.PostForm("/setup", setupForm("dana@example.com", apptest.Password)); r.Status != http.StatusSeeOther {
			t.Fatalf("setup: %d", r.Status)
		}
		billing, err := db.DepartmentBySlugOrName(ctx, "Billing")
		if err != nil {
			t.Fatal(err)
		}
		admin.Get("/admin/users")
		r := admin.PostForm("/admin/invitations", url.Values{"email": {"sam@example.com"}, "name": {"Sam"}, "role": {"member"},
			"department_ids": {fmt.Sprint(billing.ID)}})
		m := inviteLink.FindStringSubmatch(r.Body)
		if r.Status != http.StatusCreated || m == nil {
			t.Fatalf("invite: %d %.1500s", r.Status, r.Body)
		}
		link, _ := url.Parse(m[1])
		if !strings.HasPrefix(link.Path, "/join/") {
			t.Fatalf("invitation link %q", m[1])
		}
		again := admin.Get("/admin/users")
		if strings.Contains(again.Body, link.Path) {
			t.Fatal("the invitation link must be shown only once")
		}
		// The pending invitation says which department Sam will join.
		if row := pendingInvitation.FindString(again.Body); !strings.Contains(row, "sam@example.com") || !strings.Contains(row, ">Billing<") {
			t.Errorf("pending invitation row = %q, want sam@example.com joining Billing", row)
		}

		sam := srv.NewClient(t)
		if r := sam.Get(link.Path); r.Status != http.StatusOK || !strings.Contains(r.Body, "sam@example.com") {
			t.Fatalf("join page: %d", r.Status)
		}
		if r := sam.PostForm(link.Path, url.Values{"name": {"Sam Billing"}, "password": {"short"}}); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("weak password on join: %d", r.Status)
		}
		if r := sam.PostForm(link.Path, url.Values{"name": {"Sam Billing"}, "password": {apptest.Password}}); r.Status != http.StatusSeeOther {
			t.Fatalf("join: %d %.500s", r.Status, r.Body)
		}
		if r := sam.Get("/"); !strings.Contains(r.Body, "Sam Billing") {
			t.Fatal("the invitee is not signed in after joining")
		}
		if r := srv.NewClient(t).Get(link.Path); r.Status != http.StatusNotFound || !strings.Contains(r.Body, "already used") {
			t.Fatalf("a used invitation must not work again: %d", r.Status)
		}
		u, err := db.UserByEmail(ctx, "sam@example.com")
		if err != nil || u.Role != models.RoleMember || !u.HasDepartment(billing.ID) || len(u.Departments) != 1 {
			t.Fatalf("invitee account: %+v %v", u, err)
		}
		// Both sign in again from fresh browsers.
		srv.NewClient(t).SignIn("dana@example.com", apptest.Password)
		srv.NewClient(t).SignIn("sam@example.com", apptest.Password)

		audit := admin.Get("/admin/audit")
		for _, action := range []string{"setup.complete", "user.invite", "user.join", "user.sign_in"} {
			if !strings.Contains(audit.Body, action) {
				t.Errorf("audit log does not show %s", action)
			}
		}
		filtered := admin.Get("/admin/audit?action=user.join")
		if !strings.Contains(filtered.Body, "Sam Billing") || strings.Contains(filtered.Body, "<code>user.invite</code>") {
			t.Errorf("audit filter by action does not filter")
		}
		// Members may not administer.
		if r := sam.Get("/admin/audit"); r.Status != http.StatusForbidden {
			t.Errorf("member reading the audit log: %d", r.Status)
		}
		if r := sam.PostForm("/admin/invitations", url.Values{"email": {"x@example.com"}, "role": {"admin"}}); r.Status != http.StatusForbidden {
			t.Errorf("member inviting: %d", r.Status)
		}
	})
}

func TestInvitationRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		admin, adminUser := srv.SignedIn(t, models.RoleAdmin, "Sales")
		existing := apptest.User(t, db, models.RoleMember, "Sales")
		r := admin.PostForm("/admin/invitations", url.Values{"email": {existing.Email}, "role": {"member"}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "already has an account") ||
			!strings.Contains(r.Body, "at least one department") {
			t.Fatalf("invite of an existing user without department: %d", r.Status)
		}
		// A revoked invitation's link is dead.
		dep := adminUser.Departments[0]
		inv, secret, err := db.CreateInvitation(ctx, adminUser.Actor("session"), models.InvitationRequest{
			Email: apptest.Unique("inv") + "@example.com", Role: models.RoleViewer, DepartmentIDs: []int64{dep.ID}})
		if err != nil {
			t.Fatal(err)
		}
		admin.Get("/admin/users")
		if r := admin.PostForm(fmt.Sprintf("/admin/invitations/%d/revoke", inv.ID), nil); r.Status != http.StatusSeeOther {
			t.Fatalf("revoke: %d", r.Status)
		}
		if r := srv.NewClient(t).Get("/join/" + secret); r.Status != http.StatusNotFound {
			t.Fatalf("revoked invitation still opens: %d", r.Status)
		}
		if _, err := db.AcceptInvitation(ctx, secret, "X", apptest.Password); err == nil {
			t.Fatal("revoked invitation accepted")
		}
	})
}

func TestAdminChangesAccessAndKeepsOneAdmin(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		admin, adminUser := srv.SignedIn(t, models.RoleAdmin, "Sales")
		support, _ := db.CreateDepartment(ctx, "Support")
		member := apptest.User(t, db, models.RoleMember, "Sales")
		memberClient := srv.NewClient(t)
		memberClient.SignIn(member.Email, apptest.Password)

		admin.Get("/admin/users")
		// The only admin cannot demote themself.
		r := admin.PostForm(fmt.Sprintf("/admin/users/%d", adminUser.ID), url.Values{"role": {"member"},
			"department_ids": {fmt.Sprint(adminUser.Departments[0].ID)}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "at least one active admin") {
			t.Fatalf("demoting the last admin: %d", r.Status)
		}
		// Make the member a viewer in Support, then disable them: they are signed out.
		r = admin.PostForm(fmt.Sprintf("/admin/users/%d", member.ID), url.Values{"role": {"viewer"}, "department_ids": {fmt.Sprint(support.ID)}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("change access: %d %.400s", r.Status, r.Body)
		}
		u, _ := db.UserByID(ctx, member.ID)
		if u.Role != models.RoleViewer || len(u.Departments) != 1 || u.Departments[0].ID != support.ID {
			t.Fatalf("access not saved: %+v", u)
		}
		admin.PostForm(fmt.Sprintf("/admin/users/%d", member.ID), url.Values{"role": {"viewer"}, "department_ids": {fmt.Sprint(support.ID)}, "disabled": {"1"}})
		if r := memberClient.Get("/"); r.Status != http.StatusSeeOther {
			t.Fatalf("disabled user still signed in: %d", r.Status)
		}
		if r := srv.NewClient(t).PostForm("/signin", url.Values{"email": {member.Email}, "password": {apptest.Password}}); r.Status != http.StatusUnauthorized {
			t.Fatalf("disabled user signed in: %d", r.Status)
		}
	})
}

func TestSettingsProfilePasswordAndTokens(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		srv := apptest.Start(t, db)
		c, u := srv.SignedIn(t, models.RoleViewer, "Support")
		other := srv.NewClient(t)
		other.SignIn(u.Email, apptest.Password)
		c.Get("/settings")

		if r := c.PostForm("/settings/profile", url.Values{"name": {"Zoë Müller"}, "time_zone": {"Mars/Olympus"}}); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("bad time zone: %d", r.Status)
		}
		if r := c.PostForm("/settings/profile", url.Values{"name": {"Zoë Müller"}, "time_zone": {"Europe/Paris"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("profile: %d", r.Status)
		}
		if r := c.Get("/settings"); !strings.Contains(r.Body, "Zoë Müller") || !strings.Contains(r.Body, `value="Europe/Paris" selected`) {
			t.Fatal("profile not saved")
		}

		r := c.PostForm("/settings/tokens", url.Values{"name": {"reporting script"}})
		m := regexp.MustCompile(`id="new-token">(rpt_[^<]+)<`).FindStringSubmatch(r.Body)
		if r.Status != http.StatusCreated || m == nil {
			t.Fatalf("token create: %d", r.Status)
		}
		if page := c.Get("/settings"); strings.Contains(page.Body, m[1]) || !strings.Contains(page.Body, m[1][:10]) {
			t.Fatal("token must be listed by prefix only after the first display")
		}
		api := srv.NewClient(t)
		api.Bearer = m[1]
		if r := api.Get("/api/v1/me"); r.Status != http.StatusOK {
			t.Fatalf("new token does not work: %d", r.Status)
		}

		if r := c.PostForm("/settings/password", url.Values{"current_password": {"not it at all"}, "password": {"another long passphrase"}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "not your current password") {
			t.Fatalf("wrong current password: %d", r.Status)
		}
		if r := c.PostForm("/settings/password", url.Values{"current_password": {apptest.Password}, "password": {"another long passphrase"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("password change: %d %.300s", r.Status, r.Body)
		}
		if r := c.Get("/settings"); r.Status != http.StatusOK {
			t.Fatal("the browser that changed the password should stay signed in")
		}
		if r := other.Get("/settings"); r.Status != http.StatusSeeOther {
			t.Fatal("other sessions must end on password change")
		}
		if r := api.Get("/api/v1/me"); r.Status != http.StatusOK {
			t.Fatal("API tokens are revoked separately, not by a password change")
		}
	})
}

func TestAuditLogPagination(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		admin, au := srv.SignedIn(t, models.RoleAdmin, "Sales")
		a := au.Actor("session")
		for i := range 120 {
			if err := db.Audit(ctx, models.AuditEntry{Actor: &a, Action: "department.create", SubjectType: "department", SubjectID: int64(i + 1)}); err != nil {
				t.Fatal(err)
			}
		}
		seen := map[string]bool{}
		next := "/admin/audit?action=department.create"
		pages := 0
		for next != "" {
			pages++
			req, _ := http.NewRequest(http.MethodGet, srv.URL+next, nil)
			req.Header.Set("Accept", "application/json")
			r := admin.Do(req)
			var body struct {
				Items []models.AuditEvent
				Next  string
			}
			r.Decode(t, &body)
			for _, e := range body.Items {
				k := fmt.Sprint(e.ID)
				if seen[k] {
					t.Fatalf("event %s on two pages", k)
				}
				seen[k] = true
			}
			next = ""
			if body.Next != "" {
				next = "/admin/audit?" + body.Next
			}
			if pages > 10 {
				t.Fatal("pagination does not end")
			}
		}
		if len(seen) != 120 || pages != 3 {
			t.Fatalf("walked %d events over %d pages, want 120 over 3", len(seen), pages)
		}
		if r := admin.Get("/admin/audit?before=garbage"); r.Status != http.StatusBadRequest {
			t.Fatalf("damaged cursor: %d", r.Status)
		}
	})
}
