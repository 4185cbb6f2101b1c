package browsertest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"rapport/app/apptest"
	"rapport/app/browsertest"
	"rapport/models"
	"rapport/models/dbtest"
)

// A member assigns a task to a colleague who joined after 500 others by
// typing part of her name, sees her chosen, and adds the task; the task's
// edit form then shows her chosen too. An admin filters the audit log by
// her the same way, and the contact list's bulk bar finds her as owner.
func TestAssignTaskBySearchJourney(t *testing.T) {
	b := browsertest.Launch(t)
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		u := apptest.User(t, db, models.RoleMember, "Sales")
		a := u.Actor("session")
		ct, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Ana", FamilyName: "Souza", CompanyName: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		apptest.ManyUsers(t, db, 500)
		zelda := apptest.NamedUser(t, db, models.RoleMember, "Sales", "Zelda Latecomer")

		for i, vp := range []browsertest.Viewport{browsertest.Desktop, browsertest.Phone} {
			size := []string{"desktop-", "phone-"}[i]
			title := "Send the quote " + size
			p := b.Open(t, srv.URL, vp)
			p.SignIn(u.Email, apptest.Password)
			p.Go(fmt.Sprintf("/contacts/%d/tasks", ct.ID))
			picker := ".task-form .user-picker"
			if got := browsertest.Eval[string](p, `getComputedStyle(document.querySelector(".task-form .user-choice"), "::before").content`); got != `"Me"` {
				t.Errorf("with nobody chosen the picker says %s, want \"Me\"", got)
			}
			p.Fill(".task-form input[name=title]", title)
			p.Fill("#f-assignee", "latecom")
			waitForOnlyMatch(t, p, picker, "Zelda Latecomer")
			p.Screenshot(size + "assignee-found")
			p.Click(picker + " .picker-results button")
			waitFor(t, p, func() bool { return strings.Contains(textOf(p, picker+" .user-choice"), "Zelda Latecomer") })
			if got := p.Value(picker + " input[name=assignee_id]"); got != fmt.Sprint(zelda.ID) {
				t.Errorf("the chosen assignee's value is %q, want %d", got, zelda.ID)
			}
			if got := textOf(p, picker+" .picker-results"); got != "" {
				t.Errorf("the matches stay after the choice: %q", got)
			}
			p.CheckFits()
			p.Screenshot(size + "assignee-chosen")
			// × clears the choice (the task is then the author's), and
			// choosing again puts her back.
			p.Click(picker + " .user-choice .chip button")
			waitFor(t, p, func() bool { return textOf(p, picker+" .user-choice") == "" })
			p.Fill("#f-assignee", "zelda")
			waitForOnlyMatch(t, p, picker, "Zelda Latecomer")
			p.Click(picker + " .picker-results button")
			waitFor(t, p, func() bool { return strings.Contains(textOf(p, picker+" .user-choice"), "Zelda Latecomer") })
			if status := p.ClickAndLoad(".task-form button[type=submit]"); status != 200 {
				t.Fatalf("add the task: %d %s", status, p.Text("main"))
			}
			tasks, err := db.MyTasks(ctx, zelda.Actor("session"), models.TaskListOptions{Section: models.SectionOpen, TimeZone: time.UTC, Limit: 10})
			if err != nil || len(tasks.Tasks) != i+1 || tasks.Tasks[i].Title != title {
				t.Fatalf("Zelda's tasks after the %sjourney: %+v %v", size, tasks, err)
			}
		}

		// The task's edit form shows its assignee chosen when it opens.
		task, err := db.CreateTask(ctx, a, models.TaskRequest{ContactID: ct.ID, Title: "Hand over"})
		if err != nil {
			t.Fatal(err)
		}
		p := b.Open(t, srv.URL, browsertest.Desktop)
		p.SignIn(u.Email, apptest.Password)
		p.Go("/tasks")
		row := fmt.Sprintf("#task-%d", task.ID)
		p.Click(row + " .task-edit summary")
		if got := p.Text(row + " .user-choice"); !strings.Contains(got, u.Name) {
			t.Errorf("the edit form's assignee is %q, want %s", got, u.Name)
		}
		p.Fill(row+" .user-picker input[type=search]", "latecom")
		waitFor(t, p, func() bool { return p.Visible(row + " .picker-results button") })
		p.Screenshot("edit-assignee-found")
		p.Click(row + " .picker-results button")
		waitFor(t, p, func() bool { return strings.Contains(textOf(p, row+" .user-choice"), "Zelda Latecomer") })
		p.Click(row + " .task-edit button[type=submit]")
		waitFor(t, p, func() bool { return strings.Contains(textOf(p, row+" .task-assignee"), "Zelda Latecomer") })
		p.Screenshot("edit-reassigned")

		// An admin finds her for the audit log's filter and the bulk bar.
		admin := apptest.User(t, db, models.RoleAdmin, "Sales")
		if _, err := db.CreateContact(ctx, zelda.Actor("session"), models.ContactRequest{GivenName: "Cal", FamilyName: "Latecomer"}); err != nil {
			t.Fatal(err)
		}
		p = b.Open(t, srv.URL, browsertest.Desktop)
		p.SignIn(admin.Email, apptest.Password)
		p.Go("/admin/audit")
		p.Fill("#f-actor", "latecom")
		waitFor(t, p, func() bool { return p.Visible(".user-picker .picker-results button") })
		p.Screenshot("audit-actor-found")
		p.Click(".user-picker .picker-results button")
		waitFor(t, p, func() bool { return strings.Contains(textOf(p, ".user-choice"), "Zelda Latecomer") })
		if status := p.ClickAndLoad("form[action='/admin/audit'] button[type=submit]"); status != 200 {
			t.Fatalf("filter the audit log: %d", status)
		}
		if got := p.Text(".user-choice"); !strings.Contains(got, "Zelda Latecomer") {
			t.Errorf("the filtered audit log's picker shows %q", got)
		}
		for _, who := range p.VisibleTexts("#audit td[data-label=Who]") {
			if who != "Zelda Latecomer" {
				t.Errorf("the audit log filtered by Zelda shows an event by %q", who)
			}
		}
		p.Screenshot("audit-filtered")
		p.Go("/contacts")
		// Ticking a contact and choosing the action keep the list as it is:
		// they are not a new search that would untick it.
		tick := fmt.Sprintf("input[name=id][value='%d']", ct.ID)
		p.Click(tick)
		browsertest.Eval[bool](p, `(() => { const s = document.querySelector("#f-bulk-action"); s.value = "owner";
			s.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`)
		time.Sleep(time.Second) // longer than the search's 250 ms delay
		if !browsertest.Eval[bool](p, `document.querySelector("`+tick+`").checked`) {
			t.Fatal("the ticked contact lost its tick")
		}
		p.Fill("#f-bulk-owner", "latecom")
		waitFor(t, p, func() bool { return p.Visible(".bulk-bar .picker-results button") })
		p.Screenshot("bulk-owner-found")
		p.Click(".bulk-bar .picker-results button")
		waitFor(t, p, func() bool { return strings.Contains(textOf(p, ".bulk-bar .user-choice"), "Zelda Latecomer") })
		p.Screenshot("bulk-owner-chosen")
		if status := p.ClickAndLoad(".bulk-bar button[type=submit]"); status != 200 {
			t.Fatalf("assign the owner: %d", status)
		}
		if got, err := db.Contact(ctx, a, ct.ID); err != nil || got.OwnerID == nil || *got.OwnerID != zelda.ID {
			t.Errorf("Ana's owner after the bulk action: %+v %v", got, err)
		}
	})
}

// waitForOnlyMatch waits until the picker's results are the one person
// typed for. On a slow machine a search for the first letters typed can
// answer first and list many; clicking its first button would choose
// someone else.
func waitForOnlyMatch(t *testing.T, p *browsertest.Page, picker, name string) {
	t.Helper()
	waitFor(t, p, func() bool {
		return browsertest.Eval[string](p, `[...document.querySelectorAll("`+picker+` .picker-results button")].map(b => b.textContent.trim()).join("|")`) == name
	})
}
