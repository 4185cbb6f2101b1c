package app_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"rapport/app/apptest"
	"rapport/app/reminders"
	"rapport/models"
	"rapport/models/dbtest"
)

// A due task reaches the notifications menu: "Task due: <title>" linking
// to the task, counted in the unread badge, and marked read like a
// mention. Someone who may not see the contact never gets it.
func TestTaskReminderInNotificationsMenu(t *testing.T) {
	dbtest.EachFresh(t, func(t *testing.T, db *models.DB, _ string) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		c, u := srv.SignedIn(t, models.RoleMember, "Sales")
		a := u.Actor("test")
		ct, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Remy", FamilyName: "Minder"})
		if err != nil {
			t.Fatal(err)
		}
		due := time.Now().Add(time.Hour)
		title := apptest.Unique("Renew the contract ")
		task, err := db.CreateTask(ctx, a, models.TaskRequest{ContactID: ct.ID, Title: title, DueAt: &due})
		if err != nil {
			t.Fatal(err)
		}
		if p := c.Get("/notifications"); strings.Contains(p.Body, "Task due:") {
			t.Fatal("a reminder before the task is due")
		}
		sc := reminders.New(db)
		sc.Now = func() time.Time { return due.Add(time.Minute) }
		for range 2 { // a second scan must not remind again
			if _, err := sc.Scan(ctx); err != nil {
				t.Fatal(err)
			}
		}
		page := c.Get("/notifications")
		link := fmt.Sprintf(`href="/contacts/%d/tasks#task-%d"`, ct.ID, task.ID)
		if n := strings.Count(page.Body, "Task due:"); n != 1 {
			t.Fatalf("%d task reminders in the menu, want 1: %.2000s", n, page.Body)
		}
		if !strings.Contains(page.Body, link) || !strings.Contains(page.Body, html.EscapeString(title)) {
			t.Errorf("the reminder does not name and link the task (%s)", link)
		}
		if !strings.Contains(page.Body, `aria-label="Notifications, 1 unread"`) {
			t.Error("the unread count leaves the reminder out")
		}
		if p := c.Get(fmt.Sprintf("/contacts/%d/tasks", ct.ID)); !strings.Contains(p.Body, fmt.Sprintf(`id="task-%d"`, task.ID)) {
			t.Error("the reminder's link leads to no such task")
		}
		id := regexp.MustCompile(`name="id" value="(\d+)"`).FindStringSubmatch(page.Body)
		if id == nil {
			t.Fatal("no Mark as read on the reminder")
		}
		if r := c.PostForm("/notifications/read", url.Values{"id": {id[1]}}); r.Status != http.StatusSeeOther {
			t.Fatalf("mark read: %d", r.Status)
		}
		page = c.Get("/notifications")
		if !strings.Contains(page.Body, `aria-label="Notifications, none unread"`) || !strings.Contains(page.Body, "Task due:") {
			t.Error("a read reminder should stay listed and leave the count")
		}
		// The API lists it beside the notes' notifications, as the spec says.
		api := srv.NewClient(t)
		api.SignIn(u.Email, apptest.Password)
		r := api.JSON(http.MethodGet, "/api/v1/notifications", nil)
		var list struct {
			Items []struct {
				Kind    string `json:"kind"`
				NoteID  *int64 `json:"note_id"`
				TaskID  *int64 `json:"task_id"`
				Excerpt string `json:"excerpt"`
			} `json:"items"`
		}
		r.Decode(t, &list)
		if len(list.Items) != 1 || list.Items[0].Kind != "task_due" || list.Items[0].TaskID == nil || *list.Items[0].TaskID != task.ID ||
			list.Items[0].NoteID != nil || list.Items[0].Excerpt != title {
			t.Errorf("API notifications: %d %s", r.Status, r.Body)
		}
		// Reminders go to the assignee only.
		other, _ := srv.SignedIn(t, models.RoleMember, "Support")
		if p := other.Get("/notifications"); strings.Contains(p.Body, "Task due:") {
			t.Error("someone else got the reminder")
		}
	})
}
