package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"rapport/app/jobs"
	"rapport/models"
	"rapport/models/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// uniqueKind names a job kind no other test, nor another run of this one
// under -count, shares: the package's tests share one database.
func uniqueKind(t *testing.T) string {
	return fmt.Sprintf("%s-%d", t.Name(), time.Now().UnixNano())
}

// fastOptions are runner options scaled down so a test takes well under a
// second per job.
func fastOptions(t *testing.T, owner string) jobs.Options {
	return jobs.Options{
		Workers:      2,
		Lease:        300 * time.Millisecond,
		PollInterval: 20 * time.Millisecond,
		Owner:        owner,
		Logger:       slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
		Backoff:      func(int) time.Duration { return 10 * time.Millisecond },
	}
}

// start runs r until the test ends, or until the returned stop is called;
// stop waits for Run to return.
func start(t *testing.T, r *jobs.Runner) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Error("runner did not stop within 10s of its context being cancelled")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func enqueue(t *testing.T, db *models.DB, req models.JobRequest) *models.Job {
	t.Helper()
	j, err := db.EnqueueJob(context.Background(), req)
	if err != nil {
		t.Fatalf("EnqueueJob: %v", err)
	}
	return j
}

// waitJob polls the job until ok holds and returns it; it fails the test
// after a generous deadline.
func waitJob(t *testing.T, db *models.DB, id int64, what string, ok func(*models.Job) bool) *models.Job {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		j, err := db.JobByID(context.Background(), id)
		if err != nil {
			t.Fatalf("JobByID(%d): %v", id, err)
		}
		if ok(j) {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d never became %s; last seen status %s, attempts %d, last error %q", id, what, j.Status, j.Attempts, j.LastError)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func hasStatus(status string) func(*models.Job) bool {
	return func(j *models.Job) bool { return j.Status == status }
}

// receive waits for a value from ch, failing the test if none comes.
func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// TestRunnersRunEachJobOnce races two runners, as two app instances, over
// one database: every job must run exactly once.
func TestRunnersRunEachJobOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		kind := uniqueKind(t)
		const n = 40
		var ids []int64
		for range n {
			ids = append(ids, enqueue(t, db, models.JobRequest{Kind: kind}).ID)
		}
		var (
			mu    sync.Mutex
			runs  = map[int64]int{}
			byRun = map[string]int{}
		)
		for _, owner := range []string{"instance-a", "instance-b"} {
			opts := fastOptions(t, owner)
			opts.Workers = 4
			opts.Lease = 5 * time.Second // long enough that no lease lapses under load
			opts.PollInterval = 5 * time.Millisecond
			r := jobs.New(db, opts)
			r.Register(kind, func(ctx context.Context, j *jobs.Run) error {
				mu.Lock()
				runs[j.Job().ID]++
				byRun[owner]++
				mu.Unlock()
				time.Sleep(2 * time.Millisecond) // hold the job long enough for the runners to interleave
				return nil
			})
			start(t, r)
		}
		for _, id := range ids {
			j := waitJob(t, db, id, "succeeded", hasStatus(models.JobSucceeded))
			if j.Attempts != 1 {
				t.Errorf("job %d took %d attempts, want 1", id, j.Attempts)
			}
		}
		mu.Lock()
		defer mu.Unlock()
		for _, id := range ids {
			if runs[id] != 1 {
				t.Errorf("job %d ran %d times, want once", id, runs[id])
			}
		}
		t.Logf("jobs run per instance: %v", byRun)
	})
}

// TestRunnerResumesAfterCrash has owner A claim a job, checkpoint part of
// it and vanish. Once A's lease lapses, B's runner takes the job over,
// resumes after A's checkpoint, and A's late writes are refused.
func TestRunnerResumesAfterCrash(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		kind := uniqueKind(t)
		job := enqueue(t, db, models.JobRequest{Kind: kind, Payload: map[string]int{"rows": 10}})

		// Owner A: claim with a short lease, do rows 1..7, then crash.
		a, err := db.ClaimJob(ctx, "owner-a", []string{kind}, 200*time.Millisecond)
		if err != nil || a == nil || a.ID != job.ID {
			t.Fatalf("owner A ClaimJob = %v, %v; want job %d", a, err, job.ID)
		}
		err = db.Tx(ctx, func(tx *models.DB) error {
			return tx.SaveJobCheckpoint(ctx, job.ID, "owner-a", "7", models.Progress{Done: 7, Total: 10})
		})
		if err != nil {
			t.Fatalf("owner A SaveJobCheckpoint: %v", err)
		}

		var (
			mu        sync.Mutex
			processed []int
		)
		resumedFrom := make(chan string, 1)
		proceed := make(chan struct{})
		opts := fastOptions(t, "owner-b")
		opts.Lease = 2 * time.Second
		b := jobs.New(db, opts)
		b.Register(kind, func(ctx context.Context, run *jobs.Run) error {
			var p struct{ Rows int }
			if err := run.Payload(&p); err != nil {
				return jobs.Permanent(err)
			}
			from := 0
			if c := run.Checkpoint(); c != "" {
				n, err := strconv.Atoi(c)
				if err != nil {
					return jobs.Permanent(fmt.Errorf("bad checkpoint %q: %w", c, err))
				}
				from = n
			}
			resumedFrom <- run.Checkpoint()
			select {
			case <-proceed:
			case <-ctx.Done():
				return ctx.Err()
			}
			for row := from + 1; row <= p.Rows; row++ {
				run.SetProgress(int64(row), int64(p.Rows), nil)
				err := db.Tx(ctx, func(tx *models.DB) error {
					mu.Lock()
					processed = append(processed, row)
					mu.Unlock()
					return run.SaveCheckpoint(tx, strconv.Itoa(row))
				})
				if err != nil {
					return err
				}
			}
			return nil
		})
		start(t, b)

		if got := receive(t, resumedFrom, "owner B to take the job over"); got != "7" {
			t.Errorf("owner B resumed from checkpoint %q, want 7", got)
		}
		// A wakes up and tries to carry on: every fenced write is refused.
		err = db.Tx(ctx, func(tx *models.DB) error {
			return tx.SaveJobCheckpoint(ctx, job.ID, "owner-a", "8", models.Progress{Done: 8, Total: 10})
		})
		if !errors.Is(err, models.ErrLeaseLost) {
			t.Errorf("owner A SaveJobCheckpoint after takeover = %v, want ErrLeaseLost", err)
		}
		if err := db.CompleteJob(ctx, job.ID, "owner-a"); !errors.Is(err, models.ErrLeaseLost) {
			t.Errorf("owner A CompleteJob after takeover = %v, want ErrLeaseLost", err)
		}
		close(proceed)

		got := waitJob(t, db, job.ID, "succeeded", hasStatus(models.JobSucceeded))
		if got.Attempts != 2 || got.Checkpoint != "10" || got.ProgressDone != 10 || got.ProgressTotal != 10 {
			t.Errorf("attempts, checkpoint, progress = %d, %q, %d/%d; want 2, 10, 10/10", got.Attempts, got.Checkpoint, got.ProgressDone, got.ProgressTotal)
		}
		mu.Lock()
		defer mu.Unlock()
		if want := []int{8, 9, 10}; !slices.Equal(processed, want) {
			t.Errorf("owner B processed rows %v, want %v", processed, want)
		}
	})
}

func TestRunnerRetriesWithBackoff(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		kind := uniqueKind(t)
		const delay = 200 * time.Millisecond
		var (
			mu       sync.Mutex
			starts   []time.Time
			backoffs []int
		)
		opts := fastOptions(t, "retrier")
		opts.Backoff = func(attempt int) time.Duration {
			mu.Lock()
			defer mu.Unlock()
			backoffs = append(backoffs, attempt)
			return delay
		}
		r := jobs.New(db, opts)
		r.Register(kind, func(ctx context.Context, run *jobs.Run) error {
			mu.Lock()
			starts = append(starts, time.Now())
			mu.Unlock()
			if n := run.Job().Attempts; n < 3 {
				return fmt.Errorf("feed unreachable on attempt %d", n)
			}
			return nil
		})
		start(t, r)
		job := enqueue(t, db, models.JobRequest{Kind: kind})
		r.Wake()

		got := waitJob(t, db, job.ID, "succeeded", hasStatus(models.JobSucceeded))
		if got.Attempts != 3 || got.LastError != "feed unreachable on attempt 2" {
			t.Errorf("attempts, last error = %d, %q; want 3, the second failure", got.Attempts, got.LastError)
		}
		mu.Lock()
		defer mu.Unlock()
		if !slices.Equal(backoffs, []int{1, 2}) {
			t.Errorf("backoff asked for attempts %v, want [1 2]", backoffs)
		}
		for i := 1; i < len(starts); i++ {
			// A retry may start late but never before its backoff is over.
			if gap := starts[i].Sub(starts[i-1]); gap < delay-5*time.Millisecond {
				t.Errorf("attempt %d started %v after attempt %d, before the %v backoff", i+1, gap, i, delay)
			}
		}
	})
}

func TestRunnerFailures(t *testing.T) {
	tests := []struct {
		name         string
		maxAttempts  int
		handler      func(attempt int) error
		wantAttempts int
		wantError    string
	}{
		{
			name:         "permanent error fails at once",
			handler:      func(int) error { return jobs.Permanent(errors.New("malformed payload")) },
			wantAttempts: 1,
			wantError:    "malformed payload",
		},
		{
			name:         "max attempts",
			maxAttempts:  3,
			handler:      func(n int) error { return fmt.Errorf("still broken (%d)", n) },
			wantAttempts: 3,
			wantError:    "still broken (3)",
		},
		{
			name:         "panic counts as a failed attempt",
			maxAttempts:  1,
			handler:      func(int) error { panic("nil map") },
			wantAttempts: 1,
			wantError:    "handler panicked: nil map",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, db *models.DB) {
				kind := uniqueKind(t)
				var (
					mu    sync.Mutex
					calls int
				)
				r := jobs.New(db, fastOptions(t, "failer"))
				r.Register(kind, func(ctx context.Context, run *jobs.Run) error {
					mu.Lock()
					calls++
					mu.Unlock()
					return tc.handler(run.Job().Attempts)
				})
				start(t, r)
				job := enqueue(t, db, models.JobRequest{Kind: kind, MaxAttempts: tc.maxAttempts})
				r.Wake()
				got := waitJob(t, db, job.ID, "failed", hasStatus(models.JobFailed))
				if got.Attempts != tc.wantAttempts || got.LastError != tc.wantError || got.FinishedAt == nil {
					t.Errorf("attempts, last error, finished = %d, %q, %v; want %d, %q, set",
						got.Attempts, got.LastError, got.FinishedAt, tc.wantAttempts, tc.wantError)
				}
				mu.Lock()
				defer mu.Unlock()
				if calls != tc.wantAttempts {
					t.Errorf("handler called %d times, want %d", calls, tc.wantAttempts)
				}
			})
		})
	}
}

func TestRunnerCancelsRunningJob(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		kind := uniqueKind(t)
		started := make(chan struct{}, 1)
		stopped := make(chan error, 1)
		r := jobs.New(db, fastOptions(t, "canceller"))
		r.Register(kind, func(ctx context.Context, run *jobs.Run) error {
			started <- struct{}{}
			<-ctx.Done()
			stopped <- ctx.Err()
			return ctx.Err()
		})
		start(t, r)
		job := enqueue(t, db, models.JobRequest{Kind: kind})
		r.Wake()
		receive(t, started, "the handler to start")
		if err := db.CancelJob(ctx, job.ID); err != nil {
			t.Fatalf("CancelJob: %v", err)
		}
		receive(t, stopped, "the handler to see the cancellation")
		got := waitJob(t, db, job.ID, "cancelled", hasStatus(models.JobCancelled))
		if got.Attempts != 1 || got.LeaseOwner != nil || got.FinishedAt == nil {
			t.Errorf("attempts, owner, finished = %d, %v, %v; want 1, none, set", got.Attempts, got.LeaseOwner, got.FinishedAt)
		}
	})
}

// TestRunnerStopsOnLostLease takes a job away from a running handler, as
// when its instance stalled past the lease and another took over: the
// handler's context is cancelled with ErrLeaseLost and the runner records
// nothing for the attempt.
func TestRunnerStopsOnLostLease(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		kind := uniqueKind(t)
		started := make(chan struct{}, 1)
		causes := make(chan error, 1)
		var (
			mu    sync.Mutex
			calls int
		)
		r := jobs.New(db, fastOptions(t, "stalled"))
		r.Register(kind, func(ctx context.Context, run *jobs.Run) error {
			mu.Lock()
			calls++
			n := calls
			mu.Unlock()
			if n > 1 {
				return nil
			}
			started <- struct{}{}
			<-ctx.Done()
			causes <- context.Cause(ctx)
			return ctx.Err()
		})
		start(t, r)
		job := enqueue(t, db, models.JobRequest{Kind: kind})
		r.Wake()
		receive(t, started, "the handler to start")
		// Hand the job back behind the runner's back; its next renewal
		// finds the lease gone.
		if err := db.ReleaseJob(ctx, job.ID, "stalled"); err != nil {
			t.Fatalf("ReleaseJob: %v", err)
		}
		if cause := receive(t, causes, "the handler to be stopped"); !errors.Is(cause, models.ErrLeaseLost) {
			t.Errorf("handler context cause = %v, want ErrLeaseLost", cause)
		}
		got := waitJob(t, db, job.ID, "succeeded", hasStatus(models.JobSucceeded))
		if got.LastError != "" || got.Attempts != 1 {
			t.Errorf("last error, attempts = %q, %d; want empty, 1 (the lost attempt records nothing)", got.LastError, got.Attempts)
		}
	})
}

// TestRunnerShutdownReleasesJob stops a runner mid-job: the job goes back to
// the queue without using up an attempt, and the next runner completes it.
func TestRunnerShutdownReleasesJob(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		kind := uniqueKind(t)
		started := make(chan struct{}, 1)
		first := jobs.New(db, fastOptions(t, "first"))
		first.Register(kind, func(ctx context.Context, run *jobs.Run) error {
			started <- struct{}{}
			<-ctx.Done()
			return ctx.Err()
		})
		stop := start(t, first)
		job := enqueue(t, db, models.JobRequest{Kind: kind})
		first.Wake()
		receive(t, started, "the handler to start")
		stop()

		got := waitJob(t, db, job.ID, "queued", hasStatus(models.JobQueued))
		if got.Attempts != 0 || got.LeaseOwner != nil || got.LeaseExpiresAt != nil || got.LastError != "" {
			t.Errorf("released job: attempts, owner, lease, last error = %d, %v, %v, %q; want 0, none, none, empty",
				got.Attempts, got.LeaseOwner, got.LeaseExpiresAt, got.LastError)
		}

		second := jobs.New(db, fastOptions(t, "second"))
		second.Register(kind, func(ctx context.Context, run *jobs.Run) error { return nil })
		start(t, second)
		got = waitJob(t, db, job.ID, "succeeded", hasStatus(models.JobSucceeded))
		if got.Attempts != 1 {
			t.Errorf("attempts = %d, want 1", got.Attempts)
		}
	})
}

func TestRunnerReportsProgress(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		kind := uniqueKind(t)
		proceed := make(chan struct{})
		r := jobs.New(db, fastOptions(t, "reporter"))
		r.Register(kind, func(ctx context.Context, run *jobs.Run) error {
			run.SetProgress(3, 10, map[string]string{"phase": "parsing"})
			select {
			case <-proceed:
			case <-ctx.Done():
				return ctx.Err()
			}
			run.SetProgress(10, 10, map[string]string{"phase": "done"})
			return nil
		})
		start(t, r)
		job := enqueue(t, db, models.JobRequest{Kind: kind})
		r.Wake()

		got := waitJob(t, db, job.ID, "running with progress 3", func(j *models.Job) bool { return j.ProgressDone == 3 })
		var detail map[string]string
		if err := json.Unmarshal([]byte(got.Progress), &detail); err != nil {
			t.Fatalf("progress %q: %v", got.Progress, err)
		}
		if got.Status != models.JobRunning || got.ProgressTotal != 10 || detail["phase"] != "parsing" {
			t.Errorf("while running: status, total, detail = %s, %d, %v; want running, 10, parsing", got.Status, got.ProgressTotal, detail)
		}
		close(proceed)

		// The final progress is written with the outcome, not left to a
		// renewal that never comes.
		got = waitJob(t, db, job.ID, "succeeded", hasStatus(models.JobSucceeded))
		if got.ProgressDone != 10 || got.Progress != `{"phase":"done"}` {
			t.Errorf("final progress = %d, %q; want 10, done", got.ProgressDone, got.Progress)
		}
	})
}

// TestRunnerWake checks that Wake starts a new job without waiting for the
// poll interval, here far longer than the test.
func TestRunnerWake(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		kind := uniqueKind(t)
		opts := fastOptions(t, "waker")
		opts.PollInterval = time.Hour
		r := jobs.New(db, opts)
		r.Register(kind, func(ctx context.Context, run *jobs.Run) error { return nil })
		start(t, r)
		for range 3 {
			job := enqueue(t, db, models.JobRequest{Kind: kind})
			r.Wake()
			waitJob(t, db, job.ID, "succeeded", hasStatus(models.JobSucceeded))
		}
	})
}

func TestDefaultBackoff(t *testing.T) {
	for attempt := -1; attempt <= 40; attempt++ {
		d := jobs.DefaultBackoff(attempt)
		base := time.Hour
		if attempt < 12 {
			base = min(time.Duration(1<<max(attempt, 0))*time.Second, time.Hour)
		}
		lo, hi := base*3/4, min(base*5/4, time.Hour)
		if d < lo || d > hi {
			t.Errorf("DefaultBackoff(%d) = %v, want within [%v, %v]", attempt, d, lo, hi)
		}
	}
}
