package models_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"rapport/models"
	"rapport/models/dbtest"
)

func TestRemindersFireOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		dept := newTestDepartment(t, db, "Ops")
		a := newTestActor(t, db, models.RoleMember, dept)
		b := newTestActor(t, db, models.RoleMember, dept)
		c := mustCreateContact(t, db, a, models.ContactRequest{GivenName: "Remind"})
		due := time.Now().Add(-time.Minute)
		later := time.Now().Add(time.Hour)
		task := mustCreateTask(t, db, a, models.TaskRequest{ContactID: c.ID, Title: "Ring back", DueAt: &due})
		queued := mustCreateTask(t, db, a, models.TaskRequest{ContactID: c.ID, Title: "Queue", DueAt: &due,
			Assignee: &models.TaskAssignee{DepartmentID: dept}})
		notYet := mustCreateTask(t, db, a, models.TaskRequest{ContactID: c.ID, Title: "Later", DueAt: &later})
		dueIDs := func() []int64 {
			ts, err := db.DueReminders(ctx, time.Now(), 1000)
			if err != nil {
				t.Fatal(err)
			}
			return taskIDs(ts)
		}
		ids := dueIDs()
		if !slices.Contains(ids, task.ID) || !slices.Contains(ids, queued.ID) || slices.Contains(ids, notYet.ID) {
			t.Fatalf("due = %v", ids)
		}
		for _, id := range []int64{task.ID, queued.ID} {
			var wg sync.WaitGroup
			fired := make([]bool, 2)
			for i := range fired {
				wg.Go(func() {
					ok, err := db.MarkReminded(ctx, id, time.Now())
					if err != nil {
						t.Error(err)
					}
					fired[i] = ok
				})
			}
			wg.Wait()
			if fired[0] == fired[1] {
				t.Fatalf("task %d fired = %v, want exactly one", id, fired)
			}
		}
		if ids := dueIDs(); slices.Contains(ids, task.ID) || slices.Contains(ids, queued.ID) {
			t.Fatalf("due after reminding = %v", ids)
		}
		// a is told about their task and the queue's; b only the queue's.
		for actor, want := range map[*models.Actor][]int64{&a: {queued.ID, task.ID}, &b: {queued.ID}} {
			ns, err := db.TaskNotifications(ctx, *actor, true, 10)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, n := range ns {
				if n.Kind != models.NotificationTaskDue {
					t.Fatalf("kind = %q", n.Kind)
				}
				got = append(got, n.TaskID)
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("notifications of %d = %v, want %v", actor.UserID, got, want)
			}
		}
		// Moving the due date arms the reminder again.
		cur, _ := db.Task(ctx, a, task.ID)
		again := time.Now().Add(-time.Second)
		if _, err := db.UpdateTask(ctx, a, task.ID, models.TaskPatch{Version: cur.Version, DueAt: &again}); err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(dueIDs(), task.ID) {
			t.Fatal("rescheduled task not due again")
		}
	})
}
