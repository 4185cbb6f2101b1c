package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"rapport/app/apptest"
	"rapport/models"
	"rapport/models/dbtest"
)

// userChoiceInput is the hidden input a picker's chip sends, as the list's
// option did.
func userChoiceInput(field string, id int64) string {
	return fmt.Sprintf(`<input type="hidden" name="%s" value="%d">`, field, id)
}

// However many colleagues there are, each form that chooses one finds any
// of them: with 500 colleagues ahead (more than any old list held), one who
// joined last is found by the search, chosen, and the form's save works
// with them: a task assigned, contacts given an owner, the audit log
// filtered. Who may be chosen is what each save allows.
func TestUserPickersFindAnyColleague(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		c, admin := srv.SignedIn(t, models.RoleAdmin, "Sales")
		a := admin.Actor("session")
		// 500 colleagues first, then the ones the test chooses.
		apptest.ManyUsers(t, db, 500)
		named := func(role models.Role, name string) *models.User {
			t.Helper()
			return apptest.NamedUser(t, db, role, "Sales", name)
		}
		viewer := named(models.RoleViewer, "Zelda Viewer")
		gone := named(models.RoleMember, "Zelda Gone")
		if err := db.UpdateUserAccess(ctx, a, gone.ID, models.UserAccessRequest{Role: models.RoleMember,
			DepartmentIDs: []int64{gone.Departments[0].ID}, Disabled: true}); err != nil {
			t.Fatal(err)
		}
		late := named(models.RoleMember, "Zelda Latecomer")
		if n, err := db.CountUsers(ctx); err != nil || n <= 501 {
			t.Fatalf("%d users (%v); the test needs more than the old lists' 500", n, err)
		}

		// The search: any case, part of the name; only who may be chosen.
		search := func(purpose, q string) string {
			t.Helper()
			r := htmxGet(t, c, srv.URL, "/users/picker?for="+purpose+"&user_q="+url.QueryEscape(q))
			if r.Status != http.StatusOK {
				t.Fatalf("search %s for %q: %d %s", purpose, q, r.Status, r.Body)
			}
			return r.Body
		}
		choice := func(purpose string, u *models.User) string {
			return fmt.Sprintf("/users/picker/choice?for=%s&amp;id=%d", purpose, u.ID)
		}
		for _, tc := range []struct {
			purpose string
			offered []*models.User
			left    []*models.User
		}{
			{"assignee", []*models.User{late}, []*models.User{viewer, gone}},
			{"owner", []*models.User{late, viewer, gone}, nil},
			{"actor", []*models.User{late, viewer, gone}, nil},
		} {
			found := search(tc.purpose, "ZELDA")
			for _, u := range tc.offered {
				if !strings.Contains(found, choice(tc.purpose, u)) || !strings.Contains(found, u.Name) {
					t.Errorf("%s: the search should offer %s: %s", tc.purpose, u.Name, found)
				}
			}
			for _, u := range tc.left {
				if strings.Contains(found, u.Name) {
					t.Errorf("%s: the search offers %s, who may not be chosen: %s", tc.purpose, u.Name, found)
				}
			}
		}
		if got := search("assignee", "  "); got != "" {
			t.Errorf("an empty search should offer nobody: %q", got)
		}
		many := search("owner", "many")
		if n := strings.Count(many, "/users/picker/choice?"); n != 10 || !strings.Contains(many, "More colleagues match") {
			t.Errorf("a search matching 500 offers %d and must say more match: %.300s", n, many)
		}
		if got := search("assignee", "nobody-like-this"); !strings.Contains(got, "No colleague who can work on tasks matches.") {
			t.Errorf("a search that finds nobody: %s", got)
		}

		// Choosing: a chip carrying the form's value, only for who may be
		// chosen; bad requests are said in words.
		for _, tc := range []struct{ purpose, field string }{{"assignee", "assignee_id"}, {"owner", "owner_id"}, {"actor", "actor"}} {
			r := htmxGet(t, c, srv.URL, fmt.Sprintf("/users/picker/choice?for=%s&id=%d", tc.purpose, late.ID))
			if r.Status != http.StatusOK || !strings.Contains(r.Body, userChoiceInput(tc.field, late.ID)) || !strings.Contains(r.Body, late.Name) {
				t.Errorf("choose the latecomer as %s: %d %s", tc.purpose, r.Status, r.Body)
			}
		}
		member, _ := srv.SignedIn(t, models.RoleMember, "Sales")
		for _, tc := range []struct {
			who    *apptest.Client
			path   string
			status int
			says   string
		}{
			{c, fmt.Sprintf("/users/picker/choice?for=assignee&id=%d", viewer.ID), http.StatusNotFound, "cannot be chosen here"},
			{c, fmt.Sprintf("/users/picker/choice?for=assignee&id=%d", gone.ID), http.StatusNotFound, "cannot be chosen here"},
			{c, "/users/picker/choice?for=owner&id=x", http.StatusBadRequest, "Choose the person from the search results."},
			{c, "/users/picker/choice?for=owner", http.StatusBadRequest, "Choose the person from the search results."},
			{c, "/users/picker?for=everyone&user_q=zelda", http.StatusBadRequest, "from a form that chooses one"},
			{c, "/users/picker?user_q=zelda", http.StatusBadRequest, "from a form that chooses one"},
			{member, "/users/picker?for=actor&user_q=zelda", http.StatusForbidden, "may not choose people here"},
			{member, fmt.Sprintf("/users/picker/choice?for=actor&id=%d", late.ID), http.StatusForbidden, "may not choose people here"},
		} {
			if r := htmxGet(t, tc.who, srv.URL, tc.path); r.Status != tc.status || !strings.Contains(r.Body, tc.says) {
				t.Errorf("%s: %d %s, want %d saying %q", tc.path, r.Status, r.Body, tc.status, tc.says)
			}
		}
		if r := htmxGet(t, member, srv.URL, "/users/picker?for=assignee&user_q=zelda"); !strings.Contains(r.Body, choice("assignee", late)) {
			t.Errorf("a member should find assignees: %d %s", r.Status, r.Body)
		}

		// A task: the contact's task form offers the picker, and saves the
		// latecomer as its assignee.
		ct, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Ana", FamilyName: "Picker"})
		if err != nil {
			t.Fatal(err)
		}
		page := c.Get(fmt.Sprintf("/contacts/%d/tasks", ct.ID))
		for _, want := range []string{`hx-get="/users/picker?for=assignee"`, `id="f-assignee"`, `name="_csrf"`, `data-empty="Me"`} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("the contact's task form lacks %q", want)
			}
		}
		if strings.Contains(page.Body, `<select name="assignee_id"`) {
			t.Error("the task form still lists assignees")
		}
		r := c.PostForm(fmt.Sprintf("/contacts/%d/tasks", ct.ID), url.Values{"title": {"Send the quote"}, "priority": {"normal"},
			"assignee_id": {fmt.Sprint(late.ID)}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("add a task for the latecomer: %d %.600s", r.Status, r.Body)
		}
		lates, err := db.MyTasks(ctx, late.Actor("session"), models.TaskListOptions{Section: models.SectionOpen, TimeZone: time.UTC, Limit: 10})
		if err != nil || len(lates.Tasks) != 1 || lates.Tasks[0].Title != "Send the quote" {
			t.Fatalf("the latecomer's tasks: %+v %v", lates, err)
		}
		// A viewer is refused, and the form shows them still chosen, by
		// name, beside the reason.
		r = c.PostForm("/tasks", url.Values{"contact_id": {fmt.Sprint(ct.ID)}, "title": {"Read up"}, "priority": {"normal"},
			"assignee_id": {fmt.Sprint(viewer.ID)}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "can only view") ||
			!regexp.MustCompile(regexp.QuoteMeta(userChoiceInput("assignee_id", viewer.ID))+`\s*Zelda Viewer`).MatchString(r.Body) {
			t.Errorf("a task for a viewer: %d %.3000s", r.Status, r.Body)
		}
		// Editing: the row's form shows its assignee chosen, and reassigns.
		mine, err := db.CreateTask(ctx, a, models.TaskRequest{ContactID: ct.ID, Title: "Hand over"})
		if err != nil {
			t.Fatal(err)
		}
		row := regexp.MustCompile(`(?s)<li class="[^"]*" id="task-` + fmt.Sprint(mine.ID) + `">.*?</li>`).FindString(c.Get("/tasks").Body)
		if !strings.Contains(row, userChoiceInput("assignee_id", admin.ID)) || !strings.Contains(row, `id="assignee-`+fmt.Sprint(mine.ID)+`"`) {
			t.Errorf("the task's edit form should show its assignee chosen: %s", row)
		}
		r = htmxPost(t, c, srv.URL, fmt.Sprintf("/tasks/%d", mine.ID), url.Values{"version": {fmt.Sprint(mine.Version)},
			"assignee_id": {fmt.Sprint(late.ID)}})
		if got, err := db.Task(ctx, a, mine.ID); err != nil || got.AssigneeID == nil || *got.AssigneeID != late.ID {
			t.Errorf("reassign to the latecomer: %d %.300s; task %+v %v", r.Status, r.Body, got, err)
		}

		// Contacts: the bulk bar offers the picker and gives the ticked
		// contacts the latecomer as owner.
		ben, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Ben", FamilyName: "Picker"})
		if err != nil {
			t.Fatal(err)
		}
		list := c.Get("/contacts")
		for _, want := range []string{`hx-get="/users/picker?for=owner"`, `id="f-bulk-owner"`, `data-empty="No owner"`, `name="_csrf"`} {
			if !strings.Contains(list.Body, want) {
				t.Errorf("the contact list's bulk bar lacks %q", want)
			}
		}
		if strings.Contains(list.Body, `name="owner_id"`) {
			t.Error("the bulk bar still lists owners")
		}
		r = c.PostForm("/contacts/bulk", url.Values{"action": {"owner"}, "id": {fmt.Sprint(ct.ID), fmt.Sprint(ben.ID)}, "owner_id": {fmt.Sprint(late.ID)}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("bulk owner: %d %.300s", r.Status, r.Body)
		}
		for _, id := range []int64{ct.ID, ben.ID} {
			if got, err := db.Contact(ctx, a, id); err != nil || got.OwnerID == nil || *got.OwnerID != late.ID {
				t.Errorf("contact %d's owner: %+v %v", id, got, err)
			}
		}

		// The audit log: filtered by the latecomer, shown chosen by name.
		if _, err := db.CreateContact(ctx, late.Actor("session"), models.ContactRequest{GivenName: "Cal", FamilyName: "Latecomer"}); err != nil {
			t.Fatal(err)
		}
		audit := c.Get(fmt.Sprintf("/admin/audit?action=&actor=%d", late.ID))
		events := regexp.MustCompile(`<td data-label="Who">([^<]*)</td>`).FindAllStringSubmatch(audit.Body, -1)
		if audit.Status != http.StatusOK || len(events) == 0 || !strings.Contains(audit.Body, userChoiceInput("actor", late.ID)) ||
			!strings.Contains(audit.Body, `hx-get="/users/picker?for=actor"`) {
			t.Fatalf("the audit log by the latecomer: %d %.3000s", audit.Status, audit.Body)
		}
		for _, e := range events {
			if e[1] != late.Name {
				t.Errorf("the audit log filtered by the latecomer shows an event by %q", e[1])
			}
		}
		if all := c.Get("/admin/audit"); !strings.Contains(all.Body, `data-empty="Everyone"`) || strings.Contains(all.Body, `name="actor" value=`) {
			t.Errorf("the unfiltered audit log should choose nobody: %.2000s", all.Body)
		}
		// A link naming nobody Rapport knows filters by that id and says
		// so, rather than claiming to show everyone's events.
		unknown := c.Get("/admin/audit?actor=987654321")
		if unknown.Status != http.StatusOK || !strings.Contains(unknown.Body, "Unknown person #987654321") ||
			!strings.Contains(unknown.Body, userChoiceInput("actor", 987654321)) || strings.Contains(unknown.Body, `<td data-label="Who">`) {
			t.Errorf("the audit log filtered by an unknown person: %d %.2000s", unknown.Status, unknown.Body)
		}
		for _, bad := range []string{"abc", "-3", "0"} {
			if r := c.Get("/admin/audit?actor=" + bad); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "choose them again") {
				t.Errorf("actor=%s: %d %.300s", bad, r.Status, r.Body)
			}
		}
	})
}
