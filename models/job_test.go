package models_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"rapport/models"
	"rapport/models/dbtest"
)

// uniqueKind names a job kind no other test, nor another run of this one
// under -count, shares: the package's tests share one database.
func uniqueKind(t *testing.T) string {
	return fmt.Sprintf("%s-%d", t.Name(), time.Now().UnixNano())
}

// enqueue adds a job of kind or fails the test.
func enqueue(t *testing.T, db *models.DB, req models.JobRequest) *models.Job {
	t.Helper()
	j, err := db.EnqueueJob(context.Background(), req)
	if err != nil {
		t.Fatalf("EnqueueJob: %v", err)
	}
	return j
}

// mustClaim claims the next job of kind for owner and fails the test when
// there is none.
func mustClaim(t *testing.T, db *models.DB, owner, kind string, lease time.Duration) *models.Job {
	t.Helper()
	j, err := db.ClaimJob(context.Background(), owner, []string{kind}, lease)
	if err != nil {
		t.Fatalf("ClaimJob: %v", err)
	}
	if j == nil {
		t.Fatalf("ClaimJob(%s): nothing claimed, want a job", kind)
	}
	return j
}

func jobByID(t *testing.T, db *models.DB, id int64) *models.Job {
	t.Helper()
	j, err := db.JobByID(context.Background(), id)
	if err != nil {
		t.Fatalf("JobByID(%d): %v", id, err)
	}
	return j
}

func TestEnqueueJob(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		kind := uniqueKind(t)
		before := time.Now().Add(-time.Second)
		j := enqueue(t, db, models.JobRequest{Kind: kind, Payload: map[string]int{"feed": 7}})
		if j.ID == 0 {
			t.Fatal("enqueued job has no id")
		}
		got := jobByID(t, db, j.ID)
		if got.Status != models.JobQueued || got.MaxAttempts != 5 || got.Attempts != 0 {
			t.Errorf("status, max attempts, attempts = %s, %d, %d; want queued, 5, 0", got.Status, got.MaxAttempts, got.Attempts)
		}
		if got.Payload != `{"feed":7}` {
			t.Errorf("payload = %q", got.Payload)
		}
		if got.RunAt.Before(before) || got.RunAt.After(time.Now().Add(time.Second)) {
			t.Errorf("run_at = %v, want about now", got.RunAt)
		}
		if !got.CreatedAt.Equal(j.CreatedAt) {
			t.Errorf("stored created_at %v differs from returned %v", got.CreatedAt, j.CreatedAt)
		}
		if got.LeaseOwner != nil || got.StartedAt != nil || got.FinishedAt != nil {
			t.Errorf("new job has lease or times set: %+v", got)
		}

		later := time.Now().Add(time.Hour)
		j2 := enqueue(t, db, models.JobRequest{Kind: kind, RunAt: later, MaxAttempts: 2})
		got2 := jobByID(t, db, j2.ID)
		if got2.MaxAttempts != 2 || got2.RunAt.Sub(later).Abs() > time.Millisecond || got2.Payload != "{}" {
			t.Errorf("max attempts, run_at, payload = %d, %v, %q; want 2, %v, {}", got2.MaxAttempts, got2.RunAt, got2.Payload, later)
		}

		if _, err := db.EnqueueJob(ctx, models.JobRequest{}); err == nil {
			t.Error("EnqueueJob without kind: no error")
		}
		if _, err := db.EnqueueJob(ctx, models.JobRequest{Kind: kind, Payload: make(chan int)}); err == nil {
			t.Error("EnqueueJob with unencodable payload: no error")
		}
	})
}

func TestClaimJob(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		kind := uniqueKind(t)
		other := kind + "-other"
		now := time.Now()
		second := enqueue(t, db, models.JobRequest{Kind: kind, RunAt: now.Add(-time.Minute)})
		first := enqueue(t, db, models.JobRequest{Kind: kind, RunAt: now.Add(-time.Hour)})
		enqueue(t, db, models.JobRequest{Kind: kind, RunAt: now.Add(time.Hour)}) // not due
		enqueue(t, db, models.JobRequest{Kind: other})

		j := mustClaim(t, db, "owner-a", kind, time.Minute)
		if j.ID != first.ID {
			t.Fatalf("claimed job %d, want the earliest due %d", j.ID, first.ID)
		}
		if j.Status != models.JobRunning || j.Attempts != 1 || j.LeaseOwner == nil || *j.LeaseOwner != "owner-a" {
			t.Errorf("claimed job status, attempts, owner = %s, %d, %v", j.Status, j.Attempts, j.LeaseOwner)
		}
		if j.LeaseExpiresAt == nil || time.Until(*j.LeaseExpiresAt) < 30*time.Second {
			t.Errorf("lease expires at %v, want about a minute from now", j.LeaseExpiresAt)
		}
		if j.StartedAt == nil {
			t.Error("started_at not set")
		}
		if got := mustClaim(t, db, "owner-a", kind, time.Minute); got.ID != second.ID {
			t.Fatalf("second claim got %d, want %d", got.ID, second.ID)
		}
		if got, err := db.ClaimJob(ctx, "owner-a", []string{kind}, time.Minute); err != nil || got != nil {
			t.Fatalf("claim with nothing due = %v, %v; want nil, nil", got, err)
		}
		if got, err := db.ClaimJob(ctx, "owner-a", nil, time.Minute); err != nil || got != nil {
			t.Fatalf("claim with no kinds = %v, %v; want nil, nil", got, err)
		}
		if got := mustClaim(t, db, "owner-a", other, time.Minute); got.Kind != other {
			t.Fatalf("claimed kind %s, want %s", got.Kind, other)
		}
	})
}

// TestClaimJobConcurrent races claimers over one database: each job must be
// handed out exactly once.
func TestClaimJobConcurrent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		kind := uniqueKind(t)
		const n = 40
		for range n {
			enqueue(t, db, models.JobRequest{Kind: kind})
		}
		var (
			mu      sync.Mutex
			claimed = map[int64]string{}
			dups    []string
			wg      sync.WaitGroup
		)
		for w := range 4 {
			owner := fmt.Sprintf("owner-%d", w)
			wg.Go(func() {
				for {
					j, err := db.ClaimJob(ctx, owner, []string{kind}, time.Minute)
					if err != nil {
						t.Errorf("%s: ClaimJob: %v", owner, err)
						return
					}
					if j == nil {
						return
					}
					mu.Lock()
					if prev, ok := claimed[j.ID]; ok {
						dups = append(dups, fmt.Sprintf("job %d by %s and %s", j.ID, prev, owner))
					}
					claimed[j.ID] = owner
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(dups) > 0 {
			t.Errorf("jobs claimed twice: %v", dups)
		}
		if len(claimed) != n {
			t.Errorf("claimed %d distinct jobs, want %d", len(claimed), n)
		}
	})
}

// TestClaimJobTakesOverExpiredLease simulates a worker that crashed
// mid-job: its lease runs out, another owner takes the job over with its
// checkpoint, and the old owner's late writes are refused.
func TestClaimJobTakesOverExpiredLease(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		kind := uniqueKind(t)
		job := enqueue(t, db, models.JobRequest{Kind: kind})
		a := mustClaim(t, db, "owner-a", kind, time.Minute)
		err := db.Tx(ctx, func(tx *models.DB) error {
			return tx.SaveJobCheckpoint(ctx, job.ID, "owner-a", "row-7", models.Progress{Done: 7, Total: 10})
		})
		if err != nil {
			t.Fatalf("SaveJobCheckpoint: %v", err)
		}

		if j, err := db.ClaimJob(ctx, "owner-b", []string{kind}, time.Minute); err != nil || j != nil {
			t.Fatalf("claim while the lease is live = %v, %v; want nil, nil", j, err)
		}

		// Shorten A's lease, then let A "crash" by never renewing again.
		if _, err := db.RenewJobLease(ctx, job.ID, "owner-a", 200*time.Millisecond, models.Progress{Done: 7, Total: 10}); err != nil {
			t.Fatalf("RenewJobLease: %v", err)
		}
		var b *models.Job
		deadline := time.Now().Add(5 * time.Second)
		for b == nil && time.Now().Before(deadline) {
			b, err = db.ClaimJob(ctx, "owner-b", []string{kind}, time.Minute)
			if err != nil {
				t.Fatalf("ClaimJob: %v", err)
			}
			if b == nil {
				time.Sleep(20 * time.Millisecond)
			}
		}
		if b == nil {
			t.Fatal("expired lease was never taken over")
		}
		if b.ID != job.ID || b.Attempts != 2 || *b.LeaseOwner != "owner-b" || b.Checkpoint != "row-7" || b.ProgressDone != 7 {
			t.Errorf("taken-over job id, attempts, owner, checkpoint, done = %d, %d, %s, %q, %d; want %d, 2, owner-b, row-7, 7",
				b.ID, b.Attempts, *b.LeaseOwner, b.Checkpoint, b.ProgressDone, job.ID)
		}
		if b.StartedAt == nil || !b.StartedAt.Equal(*a.StartedAt) {
			t.Errorf("started_at = %v, want the first start %v", b.StartedAt, a.StartedAt)
		}

		writes := map[string]func() error{
			"SaveJobCheckpoint": func() error {
				return db.Tx(ctx, func(tx *models.DB) error {
					return tx.SaveJobCheckpoint(ctx, job.ID, "owner-a", "row-9", models.Progress{})
				})
			},
			"RenewJobLease": func() error {
				_, err := db.RenewJobLease(ctx, job.ID, "owner-a", time.Minute, models.Progress{})
				return err
			},
			"CompleteJob":      func() error { return db.CompleteJob(ctx, job.ID, "owner-a") },
			"FailJob":          func() error { return db.FailJob(ctx, job.ID, "owner-a", errors.New("late"), nil) },
			"ReleaseJob":       func() error { return db.ReleaseJob(ctx, job.ID, "owner-a") },
			"MarkJobCancelled": func() error { return db.MarkJobCancelled(ctx, job.ID, "owner-a") },
		}
		for name, write := range writes {
			if err := write(); !errors.Is(err, models.ErrLeaseLost) {
				t.Errorf("%s by the old owner = %v, want ErrLeaseLost", name, err)
			}
		}
		got := jobByID(t, db, job.ID)
		if got.Status != models.JobRunning || *got.LeaseOwner != "owner-b" || got.Checkpoint != "row-7" {
			t.Errorf("after the old owner's writes: status, owner, checkpoint = %s, %s, %q", got.Status, *got.LeaseOwner, got.Checkpoint)
		}
	})
}

// TestSaveJobCheckpointCommitsWithTheWork checks that a checkpoint rolls
// back with the transaction it was saved in.
func TestSaveJobCheckpointCommitsWithTheWork(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		kind := uniqueKind(t)
		job := enqueue(t, db, models.JobRequest{Kind: kind})
		mustClaim(t, db, "owner", kind, time.Minute)
		errWork := errors.New("work failed")
		err := db.Tx(ctx, func(tx *models.DB) error {
			if err := tx.SaveJobCheckpoint(ctx, job.ID, "owner", "rolled-back", models.Progress{Done: 1}); err != nil {
				return err
			}
			return errWork
		})
		if !errors.Is(err, errWork) {
			t.Fatalf("Tx = %v, want %v", err, errWork)
		}
		if got := jobByID(t, db, job.ID); got.Checkpoint != "" || got.ProgressDone != 0 {
			t.Errorf("checkpoint, done after rollback = %q, %d; want empty, 0", got.Checkpoint, got.ProgressDone)
		}
		err = db.Tx(ctx, func(tx *models.DB) error {
			return tx.SaveJobCheckpoint(ctx, job.ID, "owner", "committed", models.Progress{Done: 2, Total: 5, Detail: map[string]string{"file": "a.csv"}})
		})
		if err != nil {
			t.Fatalf("Tx: %v", err)
		}
		got := jobByID(t, db, job.ID)
		if got.Checkpoint != "committed" || got.ProgressDone != 2 || got.ProgressTotal != 5 || got.Progress != `{"file":"a.csv"}` {
			t.Errorf("checkpoint, done, total, progress = %q, %d, %d, %q", got.Checkpoint, got.ProgressDone, got.ProgressTotal, got.Progress)
		}
	})
}

func TestRenewJobLease(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		kind := uniqueKind(t)
		job := enqueue(t, db, models.JobRequest{Kind: kind})
		claimed := mustClaim(t, db, "owner", kind, time.Second)
		cancel, err := db.RenewJobLease(ctx, job.ID, "owner", time.Hour, models.Progress{Done: 3, Total: 9, Detail: map[string]string{"phase": "parse"}})
		if err != nil || cancel {
			t.Fatalf("RenewJobLease = %v, %v; want false, nil", cancel, err)
		}
		got := jobByID(t, db, job.ID)
		if !got.LeaseExpiresAt.After(claimed.LeaseExpiresAt.Add(time.Minute)) {
			t.Errorf("lease expires at %v, want it extended past %v", got.LeaseExpiresAt, claimed.LeaseExpiresAt)
		}
		var detail map[string]string
		if err := json.Unmarshal([]byte(got.Progress), &detail); err != nil || detail["phase"] != "parse" || got.ProgressDone != 3 || got.ProgressTotal != 9 {
			t.Errorf("progress = %d/%d %q", got.ProgressDone, got.ProgressTotal, got.Progress)
		}
		if err := db.CancelJob(ctx, job.ID); err != nil {
			t.Fatalf("CancelJob: %v", err)
		}
		if cancel, err := db.RenewJobLease(ctx, job.ID, "owner", time.Hour, models.Progress{}); err != nil || !cancel {
			t.Fatalf("RenewJobLease after CancelJob = %v, %v; want true, nil", cancel, err)
		}
		if _, err := db.RenewJobLease(ctx, job.ID, "someone-else", time.Hour, models.Progress{}); !errors.Is(err, models.ErrLeaseLost) {
			t.Errorf("RenewJobLease by another owner = %v, want ErrLeaseLost", err)
		}
	})
}

func TestCompleteAndFailJob(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		kind := uniqueKind(t)

		job := enqueue(t, db, models.JobRequest{Kind: kind})
		mustClaim(t, db, "owner", kind, time.Minute)
		retryAt := time.Now().Add(time.Hour)
		if err := db.FailJob(ctx, job.ID, "owner", errors.New("feed timed out"), &retryAt); err != nil {
			t.Fatalf("FailJob with retry: %v", err)
		}
		got := jobByID(t, db, job.ID)
		if got.Status != models.JobQueued || got.LastError != "feed timed out" || got.LeaseOwner != nil || got.LeaseExpiresAt != nil ||
			got.RunAt.Sub(retryAt).Abs() > time.Millisecond || got.Attempts != 1 || got.FinishedAt != nil {
			t.Errorf("after retryable failure: %+v", got)
		}
		if j, err := db.ClaimJob(ctx, "owner", []string{kind}, time.Minute); err != nil || j != nil {
			t.Fatalf("claim before the retry is due = %v, %v; want nil, nil", j, err)
		}

		job2 := enqueue(t, db, models.JobRequest{Kind: kind})
		mustClaim(t, db, "owner", kind, time.Minute)
		if err := db.FailJob(ctx, job2.ID, "owner", errors.New("bad file"), nil); err != nil {
			t.Fatalf("FailJob: %v", err)
		}
		got = jobByID(t, db, job2.ID)
		if got.Status != models.JobFailed || got.LastError != "bad file" || got.FinishedAt == nil || got.LeaseOwner != nil {
			t.Errorf("after permanent failure: %+v", got)
		}

		job3 := enqueue(t, db, models.JobRequest{Kind: kind})
		mustClaim(t, db, "owner", kind, time.Minute)
		if err := db.CompleteJob(ctx, job3.ID, "owner"); err != nil {
			t.Fatalf("CompleteJob: %v", err)
		}
		got = jobByID(t, db, job3.ID)
		if got.Status != models.JobSucceeded || got.FinishedAt == nil || got.LeaseOwner != nil || got.LeaseExpiresAt != nil {
			t.Errorf("after completion: %+v", got)
		}
		if err := db.CompleteJob(ctx, job3.ID, "owner"); !errors.Is(err, models.ErrLeaseLost) {
			t.Errorf("completing a finished job = %v, want ErrLeaseLost", err)
		}
	})
}

func TestReleaseJob(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		kind := uniqueKind(t)
		job := enqueue(t, db, models.JobRequest{Kind: kind})
		mustClaim(t, db, "owner", kind, time.Minute)
		if err := db.ReleaseJob(ctx, job.ID, "owner"); err != nil {
			t.Fatalf("ReleaseJob: %v", err)
		}
		got := jobByID(t, db, job.ID)
		if got.Status != models.JobQueued || got.Attempts != 0 || got.LeaseOwner != nil || got.LeaseExpiresAt != nil {
			t.Errorf("after release: status, attempts, owner = %s, %d, %v", got.Status, got.Attempts, got.LeaseOwner)
		}
		if again := mustClaim(t, db, "other", kind, time.Minute); again.ID != job.ID || again.Attempts != 1 {
			t.Errorf("reclaimed job %d with %d attempts, want %d with 1", again.ID, again.Attempts, job.ID)
		}

		// A job whose cancellation was asked for is not put back.
		if err := db.CancelJob(ctx, job.ID); err != nil {
			t.Fatalf("CancelJob: %v", err)
		}
		if err := db.ReleaseJob(ctx, job.ID, "other"); err != nil {
			t.Fatalf("ReleaseJob: %v", err)
		}
		if got := jobByID(t, db, job.ID); got.Status != models.JobCancelled || got.FinishedAt == nil {
			t.Errorf("releasing a job with a cancel request: status %s, finished %v; want cancelled", got.Status, got.FinishedAt)
		}
	})
}

func TestCancelJob(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		kind := uniqueKind(t)

		queued := enqueue(t, db, models.JobRequest{Kind: kind, RunAt: time.Now().Add(-time.Hour)})
		if err := db.CancelJob(ctx, queued.ID); err != nil {
			t.Fatalf("CancelJob(queued): %v", err)
		}
		if got := jobByID(t, db, queued.ID); got.Status != models.JobCancelled || got.FinishedAt == nil {
			t.Errorf("cancelled queued job: status %s, finished %v", got.Status, got.FinishedAt)
		}
		if j, err := db.ClaimJob(ctx, "owner", []string{kind}, time.Minute); err != nil || j != nil {
			t.Fatalf("claimed a cancelled job: %v, %v", j, err)
		}

		running := enqueue(t, db, models.JobRequest{Kind: kind})
		mustClaim(t, db, "owner", kind, time.Minute)
		if err := db.CancelJob(ctx, running.ID); err != nil {
			t.Fatalf("CancelJob(running): %v", err)
		}
		got := jobByID(t, db, running.ID)
		if got.Status != models.JobRunning || !got.CancelRequested {
			t.Errorf("cancelled running job: status %s, cancel requested %v; want running, true", got.Status, got.CancelRequested)
		}
		if err := db.MarkJobCancelled(ctx, running.ID, "owner"); err != nil {
			t.Fatalf("MarkJobCancelled: %v", err)
		}
		got = jobByID(t, db, running.ID)
		if got.Status != models.JobCancelled || got.LeaseOwner != nil || got.FinishedAt == nil {
			t.Errorf("after MarkJobCancelled: %+v", got)
		}

		// Cancelling a finished job leaves it alone.
		done := enqueue(t, db, models.JobRequest{Kind: kind})
		mustClaim(t, db, "owner", kind, time.Minute)
		if err := db.CompleteJob(ctx, done.ID, "owner"); err != nil {
			t.Fatalf("CompleteJob: %v", err)
		}
		if err := db.CancelJob(ctx, done.ID); err != nil {
			t.Errorf("CancelJob(succeeded) = %v, want nil", err)
		}
		if got := jobByID(t, db, done.ID); got.Status != models.JobSucceeded {
			t.Errorf("cancelling a finished job changed its status to %s", got.Status)
		}

		if err := db.CancelJob(ctx, 1<<40); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("CancelJob(missing) = %v, want ErrNotFound", err)
		}
		if _, err := db.JobByID(ctx, 1<<40); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("JobByID(missing) = %v, want ErrNotFound", err)
		}
	})
}

func TestJobs(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *models.DB) {
		ctx := context.Background()
		kind := uniqueKind(t)
		var ids []int64
		for range 5 {
			ids = append(ids, enqueue(t, db, models.JobRequest{Kind: kind}).ID)
		}
		enqueue(t, db, models.JobRequest{Kind: kind + "-other"})

		// Page through newest first, two at a time.
		var pages [][]int64
		opts := models.JobListOptions{Kind: kind, Limit: 2}
		for {
			jobs, err := db.Jobs(ctx, opts)
			if err != nil {
				t.Fatalf("Jobs: %v", err)
			}
			if len(jobs) == 0 {
				break
			}
			var page []int64
			for _, j := range jobs {
				page = append(page, j.ID)
			}
			pages = append(pages, page)
			c := jobs[len(jobs)-1].Cursor()
			opts.Before = &c
			if len(pages) > 5 {
				t.Fatalf("paging does not end: %v", pages)
			}
		}
		want := fmt.Sprint([][]int64{{ids[4], ids[3]}, {ids[2], ids[1]}, {ids[0]}})
		if got := fmt.Sprint(pages); got != want {
			t.Errorf("pages = %s, want %s", got, want)
		}

		mustClaim(t, db, "owner", kind, time.Minute) // claims ids[0], the earliest
		running, err := db.Jobs(ctx, models.JobListOptions{Kind: kind, Status: models.JobRunning})
		if err != nil {
			t.Fatalf("Jobs: %v", err)
		}
		if len(running) != 1 || running[0].ID != ids[0] {
			t.Errorf("running jobs = %v, want just %d", running, ids[0])
		}

		for _, tc := range []struct{ limit, want int }{{0, 5}, {-3, 5}, {1, 1}, {1000, 5}} {
			jobs, err := db.Jobs(ctx, models.JobListOptions{Kind: kind, Limit: tc.limit})
			if err != nil {
				t.Fatalf("Jobs: %v", err)
			}
			if len(jobs) != tc.want {
				t.Errorf("Limit %d gave %d jobs, want %d", tc.limit, len(jobs), tc.want)
			}
		}
	})
}
