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
	"rapport/app/reminders"
	"rapport/models"
	"rapport/models/dbtest"
)

// section returns the part of the tasks page holding one section.
func section(t *testing.T, body, key string) string {
	t.Helper()
	start := strings.Index(body, `id="tasks-`+key+`"`)
	if start < 0 {
		t.Fatalf("no %s section", key)
	}
	rest := body[start:]
	if end := strings.Index(rest[1:], "</section>"); end >= 0 {
		return rest[:end+1]
	}
	return rest
}

func htmxPost(t *testing.T, c *apptest.Client, base, path string, form url.Values) *apptest.Response {
	t.Helper()
	form.Set("_csrf", c.CSRF("/tasks"))
	req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	return c.Do(req)
}

// The flow: log a call, follow it up with a task due today, get
// reminded once, complete it, and see the next occurrence.
func TestFollowUpTaskFlow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		c, u := srv.SignedIn(t, models.RoleMember, "Support")
		a := u.Actor("session")
		ct, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Flow", FamilyName: apptest.Unique("Task")})
		if err != nil {
			t.Fatal(err)
		}
		call, err := db.LogInteraction(ctx, a, models.InteractionRequest{Kind: models.InteractionCall, Direction: "outbound",
			ContactIDs: []int64{ct.ID}, OccurredAt: time.Now().Add(-time.Hour), Subject: "Pricing call"})
		if err != nil {
			t.Fatal(err)
		}
		loc := time.UTC
		if u.TimeZone != "" {
			if l, err := time.LoadLocation(u.TimeZone); err == nil {
				loc = l
			}
		}
		due := time.Now().In(loc).Truncate(time.Minute).Add(2 * time.Minute)
		if due.Day() != time.Now().In(loc).Day() {
			t.Skip("too close to midnight for a task due today")
		}
		title := apptest.Unique("Send the quote ")
		path := fmt.Sprintf("/contacts/%d/tasks", ct.ID)
		if p := c.Get(path); p.Status != http.StatusOK || !strings.Contains(p.Body, "Add task") || !strings.Contains(p.Body, "Keep in touch") {
			t.Fatalf("contact tasks page: %d %.300s", p.Status, p.Body)
		}
		r := c.PostForm(path, url.Values{"title": {title}, "due_at": {due.Format("2006-01-02T15:04")}, "priority": {"high"},
			"repeat": {"day"}, "every": {"1"}, "source_type": {"interaction"}, "source_id": {fmt.Sprint(call.ID)}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("create task: %d %.800s", r.Status, r.Body)
		}
		page := c.Get("/tasks")
		if today := section(t, page.Body, "today"); !strings.Contains(today, title) || !strings.Contains(today, "high") {
			t.Fatalf("task not in Today: %.2000s", page.Body)
		}
		mine, err := db.MyTasks(ctx, a, models.TaskListOptions{Section: models.SectionToday, TimeZone: loc})
		if err != nil || len(mine.Tasks) != 1 {
			t.Fatalf("today: %v %+v", err, mine)
		}
		task := mine.Tasks[0]
		if s := task.Source(); s == nil || s.ID != call.ID {
			t.Errorf("source: %+v", s)
		}

		// The reminder fires once however often the job runs.
		sc := reminders.New(db)
		sc.Now = func() time.Time { return time.Now().Add(5 * time.Minute) }
		for range 2 {
			if _, err := sc.Scan(ctx); err != nil {
				t.Fatal(err)
			}
		}
		ns, err := db.TaskNotifications(ctx, a, false, 10)
		if err != nil {
			t.Fatal(err)
		}
		if n := countTask(ns, task.ID); n != 1 {
			t.Errorf("%d reminders, want 1", n)
		}

		// Complete it with htmx: the row comes back done.
		r = htmxPost(t, c, srv.URL, fmt.Sprintf("/tasks/%d/complete", task.ID), url.Values{"version": {fmt.Sprint(task.Version)}})
		if r.Status != http.StatusOK || !strings.Contains(r.Body, "task-done") {
			t.Fatalf("complete: %d %.500s", r.Status, r.Body)
		}
		// A stale version is a conflict.
		r = htmxPost(t, c, srv.URL, fmt.Sprintf("/tasks/%d/complete", task.ID), url.Values{"version": {fmt.Sprint(task.Version)}})
		if r.Status != http.StatusConflict {
			t.Errorf("stale complete: %d", r.Status)
		}
		page = c.Get("/tasks")
		if !strings.Contains(section(t, page.Body, "done"), title) {
			t.Error("task not in Done")
		}
		if !strings.Contains(section(t, page.Body, "upcoming"), title) {
			t.Error("next occurrence not in Upcoming")
		}
		next, err := db.MyTasks(ctx, a, models.TaskListOptions{Section: models.SectionUpcoming, TimeZone: loc})
		if err != nil || len(next.Tasks) != 1 || next.Tasks[0].PreviousID == nil || *next.Tasks[0].PreviousID != task.ID {
			t.Fatalf("next occurrence: %v %+v", err, next)
		}
		if want := due.AddDate(0, 0, 1); !next.Tasks[0].DueAt.Equal(want) {
			t.Errorf("next due %v, want %v", next.Tasks[0].DueAt, want)
		}

		// Keep in touch: the cadence form saves.
		if r := c.PostForm(fmt.Sprintf("/contacts/%d/cadence", ct.ID), url.Values{"every": {"2"}, "unit": {"week"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("cadence: %d %.300s", r.Status, r.Body)
		}
		if iv, err := db.Cadence(ctx, a, ct.ID); err != nil || iv != (models.Interval{Every: 2, Unit: models.IntervalWeek}) {
			t.Errorf("cadence %v %v", iv, err)
		}
	})
}

func countTask(ns []models.TaskNotification, id int64) int {
	n := 0
	for _, x := range ns {
		if x.TaskID == id {
			n++
		}
	}
	return n
}

func TestTaskQueueClaimAndVisibility(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		dept := apptest.Unique("Billing")
		c, u := srv.SignedIn(t, models.RoleMember, dept)
		a := u.Actor("session")
		other, ou := srv.SignedIn(t, models.RoleMember, apptest.Unique("Elsewhere"))
		ct, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Queue", FamilyName: apptest.Unique("Task"),
			RestrictedDepartmentID: &u.Departments[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		title := apptest.Unique("Queued ")
		task, err := db.CreateTask(ctx, a, models.TaskRequest{ContactID: ct.ID, Title: title,
			Assignee: &models.TaskAssignee{DepartmentID: u.Departments[0].ID}})
		if err != nil {
			t.Fatal(err)
		}
		page := c.Get("/tasks")
		if !strings.Contains(page.Body, "Department queue: "+dept) || !strings.Contains(page.Body, title) || !strings.Contains(page.Body, "Claim") {
			t.Fatalf("queue not shown: %.1500s", page.Body)
		}
		// Someone outside the department sees nothing of it.
		if p := other.Get("/tasks"); strings.Contains(p.Body, title) {
			t.Error("restricted task visible to another department")
		}
		if r := other.JSON(http.MethodGet, fmt.Sprintf("/api/v1/tasks/%d", task.ID), nil); r.Status != http.StatusNotFound {
			t.Errorf("other department reads task: %d", r.Status)
		}
		if r := other.JSON(http.MethodPost, "/api/v1/tasks", map[string]any{"title": "x", "contact_id": ct.ID}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("other department creates task on hidden contact: %d %s", r.Status, r.Body)
		}
		_ = ou
		r := htmxPost(t, c, srv.URL, fmt.Sprintf("/tasks/%d/claim", task.ID), url.Values{"version": {fmt.Sprint(task.Version)}})
		if r.Status != http.StatusOK || !strings.Contains(r.Body, u.Name) {
			t.Fatalf("claim: %d %.500s", r.Status, r.Body)
		}
		got, err := db.Task(ctx, a, task.ID)
		if err != nil || got.AssigneeID == nil || *got.AssigneeID != u.ID {
			t.Fatalf("claimed: %v %+v", err, got)
		}
	})
}

func TestTaskAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		c, u := srv.SignedIn(t, models.RoleMember, "Sales")
		a := u.Actor("session")
		ct, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Api", FamilyName: apptest.Unique("Task")})
		if err != nil {
			t.Fatal(err)
		}
		due := time.Now().Add(-48 * time.Hour).UTC().Truncate(time.Second)
		r := c.JSON(http.MethodPost, "/api/v1/tasks", map[string]any{"title": "Call back", "contact_id": ct.ID,
			"due_at": due, "priority": "low", "assignee_id": u.ID})
		if r.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		var created struct {
			ID      int64  `json:"id"`
			Version int64  `json:"version"`
			Status  string `json:"status"`
		}
		r.Decode(t, &created)
		if r.Location() != fmt.Sprintf("/api/v1/tasks/%d", created.ID) || created.Status != "open" {
			t.Errorf("created: %s %+v", r.Location(), created)
		}
		// Unknown members and a bad recurrence are refused.
		if r := c.JSON(http.MethodPost, "/api/v1/tasks", map[string]any{"title": "x", "contact_id": ct.ID, "colour": "red"}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("unknown member: %d", r.Status)
		}
		if r := c.JSON(http.MethodPost, "/api/v1/tasks", map[string]any{"title": "x", "contact_id": ct.ID,
			"due_at": time.Now().Add(time.Hour), "recurrence": map[string]any{"every": 1, "unit": "week", "weekday": "monday"}}); r.Status != http.StatusCreated {
			t.Errorf("weekly task: %d %s", r.Status, r.Body)
		}
		var list struct {
			Items []struct {
				ID int64 `json:"id"`
			} `json:"items"`
		}
		r = c.JSON(http.MethodGet, "/api/v1/tasks?status=open&due=overdue&assignee=me", nil)
		r.Decode(t, &list)
		if r.Status != http.StatusOK || len(list.Items) != 1 || list.Items[0].ID != created.ID {
			t.Fatalf("overdue list: %d %s", r.Status, r.Body)
		}
		if r := c.JSON(http.MethodGet, "/api/v1/tasks?due=soon", nil); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("bad due: %d", r.Status)
		}
		path := fmt.Sprintf("/api/v1/tasks/%d", created.ID)
		if r := c.JSON(http.MethodPatch, path, map[string]any{"status": "done"}); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("patch without version: %d", r.Status)
		}
		r = c.JSON(http.MethodPatch, path, map[string]any{"version": created.Version, "status": "done"})
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `"status":"done"`) {
			t.Fatalf("complete: %d %s", r.Status, r.Body)
		}
		if r := c.JSON(http.MethodPatch, path, map[string]any{"version": created.Version, "title": "late"}); r.Status != http.StatusConflict || !strings.Contains(r.Body, `"current"`) {
			t.Errorf("stale patch: %d %s", r.Status, r.Body)
		}
		r = c.JSON(http.MethodGet, "/api/v1/tasks?status=done", nil)
		list.Items = nil
		r.Decode(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != created.ID {
			t.Errorf("done list: %s", r.Body)
		}
		// A viewer may not create tasks.
		v, _ := srv.SignedIn(t, models.RoleViewer, "Sales")
		if r := v.JSON(http.MethodPost, "/api/v1/tasks", map[string]any{"title": "x", "contact_id": ct.ID}); r.Status != http.StatusForbidden {
			t.Errorf("viewer API create: %d", r.Status)
		}
		if r := v.PostForm(fmt.Sprintf("/contacts/%d/tasks", ct.ID), url.Values{"title": {"x"}}); r.Status != http.StatusForbidden {
			t.Errorf("viewer form create: %d", r.Status)
		}
	})
}

func TestCalendarFeed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		srv := apptest.Start(t, db)
		c, u := srv.SignedIn(t, models.RoleMember, "Sales")
		a := u.Actor("session")
		ct, err := db.CreateContact(ctx, a, models.ContactRequest{GivenName: "Cal", FamilyName: apptest.Unique("Task")})
		if err != nil {
			t.Fatal(err)
		}
		due := time.Now().Add(24 * time.Hour)
		title := apptest.Unique("Renewal ")
		if _, err := db.CreateTask(ctx, a, models.TaskRequest{ContactID: ct.ID, Title: title, DueAt: &due}); err != nil {
			t.Fatal(err)
		}
		r := c.PostForm("/tasks/calendar-token", url.Values{"action": {"create"}})
		m := regexp.MustCompile(`/calendar/[^"<\s]+\.ics`).FindString(r.Body)
		if r.Status != http.StatusOK || m == "" {
			t.Fatalf("token: %d %.500s", r.Status, r.Body)
		}
		anon := srv.NewClient(t)
		feed := anon.Get(m)
		if feed.Status != http.StatusOK || !strings.HasPrefix(feed.Header.Get("Content-Type"), "text/calendar") ||
			!strings.Contains(feed.Body, "BEGIN:VCALENDAR") || !strings.Contains(feed.Body, title) {
			t.Fatalf("feed: %d %s %.500s", feed.Status, feed.Header.Get("Content-Type"), feed.Body)
		}
		// The link is shown once.
		if p := c.Get("/tasks"); strings.Contains(p.Body, m) {
			t.Error("calendar link shown again")
		}
		if r := c.PostForm("/tasks/calendar-token", url.Values{"action": {"revoke"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("revoke: %d", r.Status)
		}
		if feed := anon.Get(m); feed.Status != http.StatusNotFound {
			t.Errorf("revoked feed: %d", feed.Status)
		}
		if feed := anon.Get("/calendar/nonsense.ics"); feed.Status != http.StatusNotFound {
			t.Errorf("unknown feed: %d", feed.Status)
		}
	})
}

func TestReminderJobQueuesOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		for range 2 {
			if err := reminders.EnsureQueued(ctx, db); err != nil {
				t.Fatal(err)
			}
		}
		js, err := db.Jobs(ctx, models.JobListOptions{Kind: reminders.Kind, Status: models.JobQueued})
		if err != nil || len(js) != 1 {
			t.Fatalf("queued scans: %v %d", err, len(js))
		}
	})
}
