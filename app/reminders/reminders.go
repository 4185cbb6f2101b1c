// Package reminders fires task reminders from a periodic background job.
//
// The job (kind "reminders.scan") asks models.DueReminders what has fallen
// due and fires each with models.MarkReminded, which is fenced so that a
// reminder fires once however many workers or instances race on it. At the
// end of every run the job queues its successor Interval later, unless
// another scan is already queued, so the chain survives restarts and two
// instances starting together converge on one chain.
package reminders

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"rapport/app/jobs"
	"rapport/models"
)

// Kind is the job kind of a reminder scan.
const Kind = "reminders.scan"

// Interval is how long after a scan the next one runs.
const Interval = 60 * time.Second

// batch bounds one DueReminders read; a scan reads until nothing is due.
const batch = 200

// Scanner fires due reminders.
type Scanner struct {
	db *models.DB
	// Now is the clock, for tests.
	Now func() time.Time
}

// New returns a scanner on db.
func New(db *models.DB) *Scanner { return &Scanner{db: db, Now: time.Now} }

// Scan fires every reminder due by now and reports how many this call
// fired. A task another worker reminded meanwhile is skipped.
func (s *Scanner) Scan(ctx context.Context) (int, error) {
	at := s.Now()
	fired := 0
	seen := map[int64]bool{}
	for {
		due, err := s.db.DueReminders(ctx, at, batch)
		if err != nil {
			return fired, err
		}
		fresh := 0
		for _, t := range due {
			if seen[t.ID] {
				continue
			}
			seen[t.ID] = true
			fresh++
			ok, err := s.db.MarkReminded(ctx, t.ID, at)
			if err != nil {
				return fired, err
			}
			if ok {
				fired++
			}
		}
		if len(due) < batch || fresh == 0 {
			return fired, nil
		}
	}
}

// Handler is the job handler: one scan, then the next one queued.
func (s *Scanner) Handler() jobs.Handler {
	return func(ctx context.Context, r *jobs.Run) error {
		_, scanErr := s.Scan(ctx)
		// Queue the successor even when the scan failed: the runner retries
		// this job, and QueueSuccessor keeps one chain.
		if err := jobs.QueueSuccessor(ctx, s.db, Kind, r.Job().ID, s.Now().Add(Interval)); err != nil {
			return fmt.Errorf("reminders: %w", err)
		}
		return scanErr
	}
}

// EnsureQueued queues a scan to run now unless one is queued or running.
// Two instances starting at once may both queue one; each run's successor
// check then sees the other and the chains merge into one.
func EnsureQueued(ctx context.Context, db *models.DB) error {
	if err := jobs.EnsureChain(ctx, db, Kind); err != nil {
		return fmt.Errorf("reminders: %w", err)
	}
	return nil
}

// Register adds the reminder job to runner and queues the first scan when
// none is queued or running. A failure to queue is logged, not fatal: the
// next start tries again.
func Register(ctx context.Context, db *models.DB, runner *jobs.Runner, log *slog.Logger) {
	runner.Register(Kind, New(db).Handler())
	if err := EnsureQueued(ctx, db); err != nil {
		log.Error("queue the reminder job", "err", err)
	}
}
