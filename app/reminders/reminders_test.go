package reminders_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"rapport/app/jobs"
	"rapport/app/reminders"
	"rapport/models"
	"rapport/models/dbtest"
)

// A scan run by the job runner succeeds and queues exactly one successor
// about a minute later.
func TestScanJobRequeuesItself(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		r := jobs.New(db, jobs.Options{Workers: 1, PollInterval: 50 * time.Millisecond, Logger: log})
		reminders.Register(ctx, db, r, log)
		reminders.Register(ctx, db, r, log) // a second instance starting: still one queued scan
		done := make(chan error, 1)
		rctx, stop := context.WithCancel(ctx)
		go func() { done <- r.Run(rctx) }()
		var next []models.Job
		for ctx.Err() == nil {
			ok, err := db.Jobs(ctx, models.JobListOptions{Kind: reminders.Kind, Status: models.JobSucceeded})
			if err != nil {
				t.Fatal(err)
			}
			if len(ok) > 0 {
				if next, err = db.Jobs(ctx, models.JobListOptions{Kind: reminders.Kind, Status: models.JobQueued}); err != nil {
					t.Fatal(err)
				}
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		stop()
		<-done
		if len(next) != 1 {
			t.Fatalf("%d queued scans after a run, want 1", len(next))
		}
		if wait := time.Until(next[0].RunAt); wait < 30*time.Second || wait > 90*time.Second {
			t.Errorf("next scan in %v, want about %v", wait, reminders.Interval)
		}
	})
}
