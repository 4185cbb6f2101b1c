package jobs

import (
	"context"
	"fmt"
	"time"

	"rapport/models"
)

// A chain is a periodic job (reminder scans, feed poll cycles) that queues
// its own successor at the end of each run, so one queued job carries the
// schedule across restarts and instances without a scheduler of its own.

// chainAttempts lets a failing run of a chain retry for a while before it
// fails; its successor is queued either way.
const chainAttempts = 10

// EnsureChain queues a job of kind to run now unless one is queued or
// running. Two instances starting at once may both queue one; each run's
// QueueSuccessor then sees the other and the chains merge into one.
func EnsureChain(ctx context.Context, db *models.DB, kind string) error {
	for _, st := range []string{models.JobQueued, models.JobRunning} {
		js, err := db.Jobs(ctx, models.JobListOptions{Kind: kind, Status: st, Limit: 1})
		if err != nil {
			return fmt.Errorf("look for a queued %s job: %w", kind, err)
		}
		if len(js) > 0 {
			return nil
		}
	}
	if _, err := db.EnqueueJob(ctx, models.JobRequest{Kind: kind, MaxAttempts: chainAttempts}); err != nil {
		return fmt.Errorf("queue the first %s job: %w", kind, err)
	}
	return nil
}

// QueueSuccessor queues the next job of kind to run at runAt unless a job
// of kind other than self is already queued.
func QueueSuccessor(ctx context.Context, db *models.DB, kind string, self int64, runAt time.Time) error {
	queued, err := db.Jobs(ctx, models.JobListOptions{Kind: kind, Status: models.JobQueued, Limit: 5})
	if err != nil {
		return fmt.Errorf("look for a queued %s job: %w", kind, err)
	}
	for _, j := range queued {
		if j.ID != self {
			return nil
		}
	}
	if _, err := db.EnqueueJob(ctx, models.JobRequest{Kind: kind, RunAt: runAt, MaxAttempts: chainAttempts}); err != nil {
		return fmt.Errorf("queue the next %s job: %w", kind, err)
	}
	return nil
}
