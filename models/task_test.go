package models_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"rapport/models"
	"rapport/models/dbtest"
)

func mustCreateTask(t testing.TB, db *models.DB, actor models.Actor, req models.TaskRequest) *models.Task {
	t.Helper()
	task, err := db.CreateTask(context.Background(), actor, req)
	if err != nil {
		t.Fatalf("CreateTask(%+v): %v", req, err)
	}
	return task
}

func taskIDs(ts []models.Task) []int64 {
	ids := make([]int64, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	return ids
}

func myTasks(t testing.TB, db *models.DB, actor models.Actor, opts models.TaskListOptions) []int64 {
	t.Helper()
	var all []int64
	for range 20 {
		page, err := db.MyTasks(context.Background(), actor, opts)
		if err != nil {
			t.Fatalf("MyTasks(%+v): %v", opts, err)
		}
		all = append(all, taskIDs(page.Tasks)...)
		if page.NextCursor == "" {
			return all
		}
		opts.Cursor = page.NextCursor
	}
	t.Fatal("MyTasks: too many pages")
	return nil
}

func taskItems(items []models.TimelineItem) []models.TimelineItem {
	var out []models.TimelineItem
	for _, it := range items {
		if it.Kind == models.TimelineTask {
			out = append(out, it)
		}
	}
	return out
}

func TestTaskFollowUpFromCall(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		dept := newTestDepartment(t, db, "Sales")
		a := newTestActor(t, db, models.RoleMember, dept)
		c := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Rua", FamilyName: "Tane"})
		call := mustLogInteraction(t, db, a, models.InteractionRequest{Kind: "call", Direction: "inbound",
			ContactIDs: []int64{c.ID}, Subject: "Asked for a quote"})
		due := time.Now().Add(48 * time.Hour)
		task := mustCreateTask(t, db, a, models.TaskRequest{ContactID: c.ID, Title: "Send the quote", DueAt: &due,
			Priority: models.PriorityHigh, Source: &models.TimelineRef{Type: "interaction", ID: call.ID}})
		if task.AssigneeID == nil || *task.AssigneeID != a.UserID || task.Status != models.TaskOpen || task.Version != 1 ||
			task.Source() == nil || task.Source().ID != call.ID || task.ContactName != "Rua Tane" || !task.DueAt.Equal(due.UTC().Truncate(time.Microsecond)) {
			t.Fatalf("task = %+v", task)
		}
		items := taskItems(contactTimeline(t, db, a, c.ID))
		if len(items) != 1 || items[0].Ref == nil || items[0].Ref.ID != task.ID || items[0].ActorUserID == nil ||
			*items[0].ActorUserID != a.UserID || !strings.Contains(items[0].Summary, "Send the quote") {
			t.Fatalf("timeline task items = %+v", items)
		}
		// A source that is not on this contact's timeline is refused.
		other := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Other"})
		_, err := db.CreateTask(ctx, a, models.TaskRequest{ContactID: other.ID, Title: "Follow up",
			Source: &models.TimelineRef{Type: "interaction", ID: call.ID}})
		if f := validationFields(t, err); f["source"] == "" {
			t.Fatalf("fields = %v", f)
		}
		evs, err := db.AuditEvents(ctx, models.System, models.AuditListOptions{Action: "task.create", ActorID: a.UserID})
		if err != nil || len(evs) != 1 || *evs[0].SubjectID != task.ID {
			t.Fatalf("audit = %+v, %v", evs, err)
		}
	})
}

func TestTaskValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		dept := newTestDepartment(t, db, "Support")
		admin := newTestActor(t, db, models.RoleAdmin, dept)
		a := newTestActor(t, db, models.RoleMember, dept)
		leaver := newTestActor(t, db, models.RoleMember, dept)
		viewer := newTestActor(t, db, models.RoleViewer, dept)
		if err := db.UpdateUserAccess(ctx, admin, leaver.UserID, models.UserAccessRequest{Role: models.RoleMember,
			DepartmentIDs: []int64{dept}, Disabled: true}); err != nil {
			t.Fatal(err)
		}
		c := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Vali"})
		past := time.Now().Add(-time.Hour)
		future := time.Now().Add(time.Hour)
		weekly := &models.Recurrence{Interval: models.Interval{Every: 1, Unit: models.IntervalWeek}}
		cases := []struct {
			name  string
			req   models.TaskRequest
			field string
		}{
			{"no title", models.TaskRequest{ContactID: c.ID, Title: "  "}, "title"},
			{"bad priority", models.TaskRequest{ContactID: c.ID, Title: "x", Priority: "urgent"}, "priority"},
			{"recurring from the past", models.TaskRequest{ContactID: c.ID, Title: "x", DueAt: &past, Recurrence: weekly}, "due_at"},
			{"recurring without date", models.TaskRequest{ContactID: c.ID, Title: "x", Recurrence: weekly}, "due_at"},
			{"bad rule", models.TaskRequest{ContactID: c.ID, Title: "x", DueAt: &future,
				Recurrence: &models.Recurrence{Interval: models.Interval{Every: 0, Unit: models.IntervalDay}}}, "recurrence"},
			{"disabled assignee", models.TaskRequest{ContactID: c.ID, Title: "x", Assignee: &models.TaskAssignee{UserID: leaver.UserID}}, "assignee"},
			{"viewer assignee", models.TaskRequest{ContactID: c.ID, Title: "x", Assignee: &models.TaskAssignee{UserID: viewer.UserID}}, "assignee"},
			{"both assignees", models.TaskRequest{ContactID: c.ID, Title: "x", Assignee: &models.TaskAssignee{UserID: a.UserID, DepartmentID: dept}}, "assignee"},
		}
		for _, tc := range cases {
			_, err := db.CreateTask(ctx, a, tc.req)
			if f := validationFields(t, err); f[tc.field] == "" {
				t.Errorf("%s: fields = %v, want %s", tc.name, f, tc.field)
			}
		}
		// A past date is fine for a one-off task (logging something overdue).
		mustCreateTask(t, db, a, models.TaskRequest{ContactID: c.ID, Title: "Late", DueAt: &past})

		// Merged and deleted contacts are gone.
		gone := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Gone"})
		if err := db.DeleteContact(ctx, a, gone.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateTask(ctx, a, models.TaskRequest{ContactID: gone.ID, Title: "x"}); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("deleted contact: %v", err)
		}
		s := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Keep"})
		l := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Merged"})
		if _, err := db.MergeContacts(ctx, a, models.MergeRequest{SurvivorID: s.ID, LoserID: l.ID,
			SurvivorVersion: s.Version, LoserVersion: l.Version}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateTask(ctx, a, models.TaskRequest{ContactID: l.ID, Title: "x"}); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("merged contact: %v", err)
		}
	})
}

func TestMyTasksByTimeZone(t *testing.T) {
	auckland, err := time.LoadLocation("Pacific/Auckland")
	if err != nil {
		t.Skip(err)
	}
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Skip(err)
	}
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		a := newTestActor(t, db, models.RoleMember)
		c := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Zone"})
		// 11:00 UTC on 15 January is midnight on the 16th in Auckland
		// (UTC+13) and 03:00 on the 15th in Los Angeles (UTC-8).
		at := time.Date(2030, 1, 15, 11, 0, 0, 0, time.UTC)
		mk := func(title string, due *time.Time) int64 {
			return mustCreateTask(t, db, a, models.TaskRequest{ContactID: c.ID, Title: title, DueAt: due}).ID
		}
		old := mk("old", ptrTo(time.Date(2030, 1, 10, 9, 0, 0, 0, time.UTC)))
		a1030 := mk("10:30Z", ptrTo(time.Date(2030, 1, 15, 10, 30, 0, 0, time.UTC)))
		b1200 := mk("12:00Z", ptrTo(time.Date(2030, 1, 15, 12, 0, 0, 0, time.UTC)))
		c0900 := mk("16th 09:00Z", ptrTo(time.Date(2030, 1, 16, 9, 0, 0, 0, time.UTC)))
		someday := mk("someday", nil)
		want := map[*time.Location]map[models.TaskSection][]int64{
			auckland: {models.SectionOverdue: {old, a1030}, models.SectionToday: {b1200, c0900}, models.SectionUpcoming: {someday}},
			la:       {models.SectionOverdue: {old}, models.SectionToday: {a1030, b1200}, models.SectionUpcoming: {c0900, someday}},
		}
		for loc, sections := range want {
			for section, ids := range sections {
				got := myTasks(t, db, a, models.TaskListOptions{Section: section, TimeZone: loc, Now: at, Limit: 1})
				if !slices.Equal(got, ids) {
					t.Errorf("%s %s = %v, want %v", loc, section, got, ids)
				}
			}
		}
		// A cursor of one section does not fit another.
		page, err := db.MyTasks(ctx, a, models.TaskListOptions{Section: models.SectionOverdue, TimeZone: auckland, Now: at, Limit: 1})
		if err != nil || page.NextCursor == "" {
			t.Fatalf("page = %+v, %v", page, err)
		}
		_, err = db.MyTasks(ctx, a, models.TaskListOptions{Section: models.SectionToday, Now: at, Cursor: page.NextCursor})
		if f := validationFields(t, err); f["cursor"] == "" {
			t.Fatalf("fields = %v", f)
		}

		// The badge counts overdue tasks by the real clock.
		n, err := db.OverdueCount(ctx, a, la)
		if err != nil || n != 0 {
			t.Fatalf("OverdueCount before = %d, %v", n, err)
		}
		lastWeek := time.Now().Add(-7 * 24 * time.Hour)
		overdue := mk("overdue for real", &lastWeek)
		if n, err := db.OverdueCount(ctx, a, la); err != nil || n != 1 {
			t.Fatalf("OverdueCount = %d, %v", n, err)
		}
		task, _ := db.Task(ctx, a, overdue)
		if _, err := db.UpdateTask(ctx, a, overdue, models.TaskPatch{Version: task.Version, Status: ptrTo(models.TaskDone)}); err != nil {
			t.Fatal(err)
		}
		if n, _ := db.OverdueCount(ctx, a, la); n != 0 {
			t.Fatalf("OverdueCount after done = %d", n)
		}
		if done := myTasks(t, db, a, models.TaskListOptions{Section: models.SectionDone}); !slices.Equal(done, []int64{overdue}) {
			t.Fatalf("done = %v", done)
		}
	})
}

func TestRecurringTaskCreatesNextOnCompletion(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		dept := newTestDepartment(t, db, "Accounts")
		a := newTestActor(t, db, models.RoleMember, dept)
		b := newTestActor(t, db, models.RoleMember, dept)
		c := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Monthly"})
		due := time.Now().UTC().Add(2 * time.Hour).Truncate(time.Second)
		task := mustCreateTask(t, db, a, models.TaskRequest{ContactID: c.ID, Title: "Check in", DueAt: &due,
			Recurrence: &models.Recurrence{Interval: models.Interval{Every: 2, Unit: models.IntervalWeek}}})
		if task.Recurrence != "FREQ=WEEKLY;INTERVAL=2" || task.SeriesID == nil || *task.SeriesID != task.ID {
			t.Fatalf("task = %+v", task)
		}
		done, err := db.UpdateTask(ctx, b, task.ID, models.TaskPatch{Version: task.Version, Status: ptrTo(models.TaskDone)})
		if err != nil {
			t.Fatal(err)
		}
		if done.Status != models.TaskDone || done.CompletedBy == nil || *done.CompletedBy != b.UserID || done.CompletedAt == nil || done.Version != 2 {
			t.Fatalf("done = %+v", done)
		}
		open := myTasks(t, db, a, models.TaskListOptions{})
		if len(open) != 1 || open[0] == task.ID {
			t.Fatalf("open after completion = %v", open)
		}
		next, err := db.Task(ctx, a, open[0])
		if err != nil {
			t.Fatal(err)
		}
		if !next.DueAt.Equal(due.AddDate(0, 0, 14)) || next.Title != "Check in" || *next.SeriesID != task.ID ||
			*next.PreviousID != task.ID || *next.AssigneeID != a.UserID || next.Status != models.TaskOpen {
			t.Fatalf("next = %+v (due %v)", next, due)
		}
		// Reopening and completing again makes no second occurrence.
		re, err := db.UpdateTask(ctx, a, task.ID, models.TaskPatch{Version: done.Version, Status: ptrTo(models.TaskOpen)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateTask(ctx, a, task.ID, models.TaskPatch{Version: re.Version, Status: ptrTo(models.TaskDone)}); err != nil {
			t.Fatal(err)
		}
		if open := myTasks(t, db, a, models.TaskListOptions{}); !slices.Equal(open, []int64{next.ID}) {
			t.Fatalf("open after second completion = %v", open)
		}
		// The completion is on the timeline, credited to who completed it.
		var completed []models.TimelineItem
		for _, it := range taskItems(contactTimeline(t, db, a, c.ID)) {
			if strings.HasPrefix(it.Summary, "Completed task") && *it.ActorUserID == b.UserID {
				completed = append(completed, it)
			}
		}
		if len(completed) != 1 {
			t.Fatalf("completion items by b = %+v", completed)
		}
		// A stale version is a conflict carrying the current task.
		_, err = db.UpdateTask(ctx, a, task.ID, models.TaskPatch{Version: 1, Title: ptrTo("x")})
		var ce *models.ConflictError[models.Task]
		if !errors.As(err, &ce) || ce.Current.ID != task.ID || !errors.Is(err, models.ErrConflict) {
			t.Fatalf("stale update: %v", err)
		}
	})
}

func TestDepartmentQueueAndClaim(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		support := newTestDepartment(t, db, "Support")
		other := newTestDepartment(t, db, "Other")
		a := newTestActor(t, db, models.RoleMember, support)
		b := newTestActor(t, db, models.RoleMember, support)
		outsider := newTestActor(t, db, models.RoleMember, other)
		c := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Queued"})
		task := mustCreateTask(t, db, a, models.TaskRequest{ContactID: c.ID, Title: "Fix the invoice",
			Assignee: &models.TaskAssignee{DepartmentID: support}})
		if task.DepartmentID == nil || task.AssigneeID != nil || task.DepartmentName == "" {
			t.Fatalf("task = %+v", task)
		}
		page, err := db.DepartmentQueue(ctx, b, support, models.TaskListOptions{})
		if err != nil || !slices.Equal(taskIDs(page.Tasks), []int64{task.ID}) {
			t.Fatalf("queue = %+v, %v", page, err)
		}
		if _, err := db.DepartmentQueue(ctx, outsider, support, models.TaskListOptions{}); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("outsider queue: %v", err)
		}
		claimed, err := db.UpdateTask(ctx, b, task.ID, models.TaskPatch{Version: task.Version,
			Assignee: &models.TaskAssignee{UserID: b.UserID}})
		if err != nil {
			t.Fatal(err)
		}
		if claimed.AssigneeID == nil || *claimed.AssigneeID != b.UserID || claimed.DepartmentID != nil {
			t.Fatalf("claimed = %+v", claimed)
		}
		if page, _ := db.DepartmentQueue(ctx, a, support, models.TaskListOptions{}); len(page.Tasks) != 0 {
			t.Fatalf("queue after claim = %v", taskIDs(page.Tasks))
		}
		if mine := myTasks(t, db, b, models.TaskListOptions{}); !slices.Equal(mine, []int64{task.ID}) {
			t.Fatalf("b's tasks = %v", mine)
		}
		var took bool
		for _, it := range taskItems(contactTimeline(t, db, a, c.ID)) {
			took = took || (strings.HasPrefix(it.Summary, "Took task") && *it.ActorUserID == b.UserID)
		}
		if !took {
			t.Fatal("no claim on the timeline")
		}
		evs, err := db.AuditEvents(ctx, models.System, models.AuditListOptions{Action: "task.reassign", ActorID: b.UserID})
		if err != nil || len(evs) != 1 {
			t.Fatalf("audit = %+v, %v", evs, err)
		}
	})
}

func TestTaskViewerCannotWrite(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		a := newTestActor(t, db, models.RoleMember)
		v := newTestActor(t, db, models.RoleViewer)
		c := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Viewed"})
		task := mustCreateTask(t, db, a, models.TaskRequest{ContactID: c.ID, Title: "Call"})
		if _, err := db.CreateTask(ctx, v, models.TaskRequest{ContactID: c.ID, Title: "x"}); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("viewer create: %v", err)
		}
		if _, err := db.UpdateTask(ctx, v, task.ID, models.TaskPatch{Version: 1, Status: ptrTo(models.TaskDone)}); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("viewer update: %v", err)
		}
		if err := db.DeleteTask(ctx, v, task.ID); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("viewer delete: %v", err)
		}
		if err := db.SetCadence(ctx, v, c.ID, models.Interval{Every: 1, Unit: models.IntervalWeek}); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("viewer cadence: %v", err)
		}
		if got, err := db.Task(ctx, v, task.ID); err != nil || got.Title != "Call" {
			t.Fatalf("viewer read: %+v, %v", got, err)
		}
	})
}

func TestTasksOfRestrictedContact(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		sales := newTestDepartment(t, db, "Sales")
		support := newTestDepartment(t, db, "Support")
		s := newTestActor(t, db, models.RoleMember, sales)
		sup := newTestActor(t, db, models.RoleAdmin, support)
		c := mustCreateContact(t, db, s, models.ContactRequest{GivenName: "Secret", RestrictedDepartmentID: &sales})
		lastWeek := time.Now().Add(-7 * 24 * time.Hour)
		task := mustCreateTask(t, db, s, models.TaskRequest{ContactID: c.ID, Title: "Quiet deal", DueAt: &lastWeek})
		if _, err := db.Task(ctx, sup, task.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("other department reads: %v", err)
		}
		if _, err := db.UpdateTask(ctx, sup, task.ID, models.TaskPatch{Version: 1, Title: ptrTo("x")}); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("other department updates: %v", err)
		}
		if _, err := db.CreateTask(ctx, sup, models.TaskRequest{ContactID: c.ID, Title: "x"}); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("other department creates: %v", err)
		}
		// Neither a person nor a queue outside the contact's department
		// may be given the task.
		for _, a := range []models.TaskAssignee{{UserID: sup.UserID}, {DepartmentID: support}} {
			_, err := db.UpdateTask(ctx, s, task.ID, models.TaskPatch{Version: 1, Assignee: &a})
			if f := validationFields(t, err); f["assignee"] == "" {
				t.Fatalf("assign to %+v: %v", a, f)
			}
		}
		// Assigned to an outsider some other way (the contact restricted
		// later), it still stays out of their lists.
		open := mustCreateContact(t, db, s, models.ContactRequest{GivenName: "Open"})
		theirs := mustCreateTask(t, db, s, models.TaskRequest{ContactID: open.ID, Title: "Later restricted",
			DueAt: &lastWeek, Assignee: &models.TaskAssignee{UserID: sup.UserID}})
		if n, _ := db.OverdueCount(ctx, sup, time.UTC); n != 1 {
			t.Fatalf("before restriction: %d", n)
		}
		if _, err := db.UpdateContact(ctx, s, open.ID, models.ContactPatch{Version: open.Version, RestrictedDepartmentID: &sales}); err != nil {
			t.Fatal(err)
		}
		if n, _ := db.OverdueCount(ctx, sup, time.UTC); n != 0 {
			t.Fatalf("after restriction: %d", n)
		}
		if got := myTasks(t, db, sup, models.TaskListOptions{}); slices.Contains(got, theirs.ID) {
			t.Fatalf("outsider lists %v", got)
		}
	})
}

func TestTasksFollowMergedContact(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		a := newTestActor(t, db, models.RoleMember)
		survivor := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Ana", FamilyName: "Lima"})
		loser := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Ana M.", FamilyName: "Lima"})
		task := mustCreateTask(t, db, a, models.TaskRequest{ContactID: loser.ID, Title: "Send brochure"})
		if _, err := db.MergeContacts(ctx, a, models.MergeRequest{SurvivorID: survivor.ID, LoserID: loser.ID,
			SurvivorVersion: survivor.Version, LoserVersion: loser.Version}); err != nil {
			t.Fatal(err)
		}
		got, err := db.Task(ctx, a, task.ID)
		if err != nil || got.ContactID != survivor.ID {
			t.Fatalf("task after merge = %+v, %v", got, err)
		}
		if items := taskItems(contactTimeline(t, db, a, survivor.ID)); len(items) != 1 || items[0].Ref.ID != task.ID {
			t.Fatalf("survivor's task items = %+v", items)
		}
		// Editing it afterwards keeps its one timeline item in step.
		if _, err := db.UpdateTask(ctx, a, task.ID, models.TaskPatch{Version: got.Version, Title: ptrTo("Send the new brochure")}); err != nil {
			t.Fatal(err)
		}
		if items := taskItems(contactTimeline(t, db, a, survivor.ID)); len(items) != 1 || !strings.Contains(items[0].Summary, "new brochure") {
			t.Fatalf("survivor's task items after edit = %+v", items)
		}
	})
}
