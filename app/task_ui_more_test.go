package app_test

import (
	"context"
	"errors"
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

var regexpMore = regexp.MustCompile(`class="task-more"><a class="btn btn-secondary" href="([^"]+)"`)

// The new-task form on /tasks finds its contact with the contact picker
// (no contact ids to type), and without script the picker's search box
// alone finds the one contact it names.
func TestTaskFormContactPicker(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		c, u := srv.SignedIn(t, models.RoleMember, "Sales")
		family := apptest.Unique("Pickett")
		ct, err := db.CreateContact(ctx, u.Actor("test"), models.ContactRequest{GivenName: "Paula", FamilyName: family})
		if err != nil {
			t.Fatal(err)
		}
		page := c.Get("/tasks")
		if strings.Contains(page.Body, "Contact id") || !strings.Contains(page.Body, `hx-get="/contacts/picker?for=task"`) {
			t.Fatal("the new-task form should find the contact with the picker, not ask for its id")
		}
		pick := htmxGet(t, c, srv.URL, "/contacts/picker?for=task&q="+url.QueryEscape(family))
		chip := fmt.Sprintf("/contacts/picker/chip?for=task&amp;id=%d", ct.ID)
		if !strings.Contains(pick.Body, chip) || !strings.Contains(pick.Body, `hx-target="#task-contact"`) {
			t.Fatalf("picker results: %s", pick.Body)
		}
		choice := htmxGet(t, c, srv.URL, fmt.Sprintf("/contacts/picker/chip?for=task&id=%d", ct.ID))
		if !strings.Contains(choice.Body, fmt.Sprintf(`name="contact_id" value="%d"`, ct.ID)) || !strings.Contains(choice.Body, family) {
			t.Fatalf("chosen contact: %s", choice.Body)
		}
		// The composer's picker is unchanged.
		if p := htmxGet(t, c, srv.URL, "/contacts/picker?q="+url.QueryEscape(family)); !strings.Contains(p.Body, `hx-target="#also-with"`) {
			t.Error("the timeline composer's picker changed")
		}

		title := apptest.Unique("Picked ")
		if r := c.PostForm("/tasks", url.Values{"contact_id": {fmt.Sprint(ct.ID)}, "title": {title}, "priority": {"normal"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("create with the picker: %d %.500s", r.Status, r.Body)
		}
		typed := apptest.Unique("Typed ")
		if r := c.PostForm("/tasks", url.Values{"q": {"paula " + strings.ToLower(family)}, "title": {typed}, "priority": {"normal"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("create by the search box alone: %d %.500s", r.Status, r.Body)
		}
		if p := c.Get("/tasks"); !strings.Contains(p.Body, title) || !strings.Contains(p.Body, typed) {
			t.Error("the new tasks are not listed")
		}
		r := c.PostForm("/tasks", url.Values{"q": {apptest.Unique("nobody-")}, "title": {"Lost"}, "priority": {"normal"}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "No contact matches") {
			t.Errorf("an unknown contact: %d, want 422 saying no contact matches", r.Status)
		}
		if r := c.PostForm("/tasks", url.Values{"title": {"Nobody"}, "priority": {"normal"}}); !strings.Contains(r.Body, "Choose the contact the task is about.") {
			t.Errorf("no contact: %d", r.Status)
		}
	})
}

// Cancel and delete from the list, and change how an existing task
// repeats.
func TestTaskCancelDeleteAndEditRecurrence(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		c, u := srv.SignedIn(t, models.RoleMember, "Sales")
		a := u.Actor("test")
		ct, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Cass", FamilyName: apptest.Unique("Cancel")})
		if err != nil {
			t.Fatal(err)
		}
		due := time.Now().Add(48 * time.Hour)
		newTask := func(title string) *models.Task {
			task, err := db.CreateTask(ctx, a, models.TaskRequest{ContactID: ct.ID, Title: title, DueAt: &due})
			if err != nil {
				t.Fatal(err)
			}
			return task
		}
		cancel, del, rep := newTask(apptest.Unique("Cancel me ")), newTask(apptest.Unique("Delete me ")), newTask(apptest.Unique("Repeat me "))
		page := c.Get("/tasks")
		for _, action := range []string{fmt.Sprintf("/tasks/%d/cancel", cancel.ID), fmt.Sprintf("/tasks/%d/delete", del.ID)} {
			if !strings.Contains(page.Body, `action="`+action+`"`) {
				t.Errorf("no %s button on the task list", action)
			}
		}

		r := htmxPost(t, c, srv.URL, fmt.Sprintf("/tasks/%d/cancel", cancel.ID), url.Values{"version": {fmt.Sprint(cancel.Version)}})
		if r.Status != http.StatusOK || !strings.Contains(r.Body, "Cancelled") {
			t.Fatalf("cancel: %d %.500s", r.Status, r.Body)
		}
		if got, err := db.Task(ctx, a, cancel.ID); err != nil || got.Status != models.TaskCancelled {
			t.Errorf("cancelled task: %v %+v", err, got)
		}
		if r := c.PostForm(fmt.Sprintf("/tasks/%d/delete", del.ID), url.Values{}); r.Status != http.StatusSeeOther {
			t.Fatalf("delete: %d %.500s", r.Status, r.Body)
		}
		if _, err := db.Task(ctx, a, del.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("deleted task still there: %v", err)
		}
		page = c.Get("/tasks")
		if strings.Contains(page.Body, del.Title) || strings.Contains(section(t, page.Body, "upcoming"), cancel.Title) {
			t.Error("a deleted or cancelled task is still listed as to do")
		}

		edit := func(version int64, repeat, every string) *apptest.Response {
			return htmxPost(t, c, srv.URL, fmt.Sprintf("/tasks/%d", rep.ID), url.Values{"version": {fmt.Sprint(version)},
				"title": {rep.Title}, "repeat": {repeat}, "every": {every}, "weekday": {"1"}})
		}
		r = edit(rep.Version, "week", "2")
		if r.Status != http.StatusOK || !strings.Contains(r.Body, "Repeats every 2 weeks") {
			t.Fatalf("make it repeat: %d %.800s", r.Status, r.Body)
		}
		got, err := db.Task(ctx, a, rep.ID)
		if err != nil || got.Rule().Interval != (models.Interval{Every: 2, Unit: models.IntervalWeek}) {
			t.Fatalf("rule after edit: %v %+v", err, got.Rule())
		}
		r = edit(got.Version, "", "1")
		if r.Status != http.StatusOK || strings.Contains(r.Body, "Repeats every") {
			t.Fatalf("stop repeating: %d %.800s", r.Status, r.Body)
		}
		if got, _ := db.Task(ctx, a, rep.ID); !got.Rule().IsZero() {
			t.Errorf("the rule should be gone: %+v", got.Rule())
		}
	})
}

// The errors the API names in fields read as sentences in the UI: a past
// first date for a repeating task, and an assignee who has left.
func TestTaskErrorsReadableInTheUI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		c, u := srv.SignedIn(t, models.RoleMember, "Sales")
		a := u.Actor("test")
		ct, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Err", FamilyName: apptest.Unique("Readable")})
		if err != nil {
			t.Fatal(err)
		}
		past := time.Now().AddDate(0, 0, -3).Format("2006-01-02T15:04")
		r := c.PostForm("/tasks", url.Values{"contact_id": {fmt.Sprint(ct.ID)}, "title": {"Weekly check"}, "due_at": {past},
			"priority": {"normal"}, "repeat": {"week"}, "every": {"1"}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "The first due date of a repeating task is in the past") {
			t.Errorf("past first date: %d %.300s", r.Status, r.Body)
		}

		leaver := apptest.User(t, db, models.RoleMember, "Sales")
		admin := apptest.User(t, db, models.RoleAdmin, "Sales")
		if err := db.UpdateUserAccess(ctx, admin.Actor("test"), leaver.ID, models.UserAccessRequest{Role: models.RoleMember,
			DepartmentIDs: []int64{leaver.Departments[0].ID}, Disabled: true}); err != nil {
			t.Fatal(err)
		}
		due := time.Now().Add(24 * time.Hour)
		task, err := db.CreateTask(ctx, a, models.TaskRequest{ContactID: ct.ID, Title: "Hand over", DueAt: &due})
		if err != nil {
			t.Fatal(err)
		}
		want := leaver.Name + " no longer has access to Rapport"
		r = htmxPost(t, c, srv.URL, fmt.Sprintf("/tasks/%d", task.ID), url.Values{"version": {fmt.Sprint(task.Version)},
			"assignee_id": {fmt.Sprint(leaver.ID)}})
		if r.Status != http.StatusOK || !strings.Contains(r.Body, want) || !strings.Contains(r.Body, `role="alert"`) {
			t.Errorf("reassign to a leaver (htmx): %d %.500s", r.Status, r.Body)
		}
		r = c.PostForm(fmt.Sprintf("/tasks/%d", task.ID), url.Values{"version": {fmt.Sprint(task.Version)}, "assignee_id": {fmt.Sprint(leaver.ID)}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("reassign to a leaver: %d", r.Status)
		}
		if p := c.Get(r.Location()); !strings.Contains(p.Body, want) {
			t.Error("without script the refusal should be the next page's message")
		}
		if got, _ := db.Task(ctx, a, task.ID); got.AssigneeID == nil || *got.AssigneeID != u.ID {
			t.Error("the task changed hands anyway")
		}
	})
}

// Each list of the tasks page shows a bounded page and "Load more" brings
// the next by keyset, without repeating or skipping a task.
func TestTaskListsLoadMore(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		c, u := srv.SignedIn(t, models.RoleMember, "Sales")
		a := u.Actor("test")
		ct, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Many", FamilyName: "Tasks"})
		if err != nil {
			t.Fatal(err)
		}
		const n = 53 // one page of 50 and a bit
		base := time.Now().Add(72 * time.Hour).Truncate(time.Minute)
		for i := range n {
			due := base.Add(time.Duration(i) * time.Minute)
			if _, err := db.CreateTask(ctx, a, models.TaskRequest{ContactID: ct.ID, Title: fmt.Sprintf("Task #%02d.", i), DueAt: &due}); err != nil {
				t.Fatal(err)
			}
		}
		up := section(t, c.Get("/tasks").Body, "upcoming")
		if got := strings.Count(up, `<span class="task-title">Task #`); got != 50 {
			t.Fatalf("first page lists %d tasks, want 50", got)
		}
		if !strings.Contains(up, `<span class="count">50+</span>`) {
			t.Error("the count should say more follow")
		}
		m := regexpMore.FindStringSubmatch(up)
		if m == nil {
			t.Fatalf("no Load more in Upcoming: %.500s", up)
		}
		more := htmxGet(t, c, srv.URL, strings.ReplaceAll(m[1], "&amp;", "&"))
		if more.Status != http.StatusOK || strings.Contains(more.Body, "<html") {
			t.Fatalf("load more: %d %.300s", more.Status, more.Body)
		}
		for i := range n {
			title := fmt.Sprintf("Task #%02d.", i)
			if in := strings.Contains(up, title) || strings.Contains(more.Body, title); !in {
				t.Errorf("%s is on neither page", title)
			}
			if strings.Contains(up, title) && strings.Contains(more.Body, title) {
				t.Errorf("%s is on both pages", title)
			}
		}
		if strings.Contains(more.Body, "Load more") {
			t.Error("the last page offers more")
		}
		// Without script the link opens the page with that list continued.
		if p := c.Get(strings.ReplaceAll(m[1], "&amp;", "&")); !strings.Contains(section(t, p.Body, "upcoming"), "Task #52.") {
			t.Error("the Load more link does not continue the list as a page")
		}
	})
}
