package faulttest_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"rapport/app/apptest"
	"rapport/app/jobs"
	"rapport/models"
	"rapport/models/dbtest"
)

// Two Rapport processes share one Postgres: a session made on one works on
// the other, and background jobs enqueued through either run exactly once.
func TestTwoInstancesShareOnePostgres(t *testing.T) {
	url := dbtest.FreshURL(t, "postgres")
	ctx := context.Background()
	open := func() *models.DB {
		db, err := models.Open(ctx, url, models.Options{MaxOpenConns: 6})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(ctx); err != nil { // both start at once in production; migrations lock
			t.Fatal(err)
		}
		return db
	}
	dbA, dbB := open(), open()
	a, b := apptest.Start(t, dbA), apptest.Start(t, dbB)

	c, _ := a.SignedIn(t, models.RoleMember, "Sales")
	onB := b.NewClient(t)
	onB.SetCookies(b.URL, c.Cookies(a.URL))
	if r := onB.Get("/contacts"); r.Status != http.StatusOK {
		t.Fatalf("a session from instance A on instance B: %d", r.Status)
	}

	kind := fmt.Sprintf("twoinstances_%d", time.Now().UnixNano())
	var mu sync.Mutex
	runs := map[int64]int{}
	handler := func(ctx context.Context, r *jobs.Run) error {
		mu.Lock()
		runs[r.Job().ID]++
		mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		return nil
	}
	rctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for i, db := range []*models.DB{dbA, dbB} {
		r := jobs.New(db, jobs.Options{Workers: 3, PollInterval: 20 * time.Millisecond, Owner: fmt.Sprintf("instance-%d", i)})
		r.Register(kind, handler)
		wg.Add(1)
		go func() { defer wg.Done(); _ = r.Run(rctx) }()
	}
	const n = 60
	for i := range n {
		db := dbA
		if i%2 == 1 {
			db = dbB
		}
		if _, err := db.EnqueueJob(ctx, models.JobRequest{Kind: kind}); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		done := len(runs)
		mu.Unlock()
		if done == n || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	wg.Wait()
	if len(runs) != n {
		t.Fatalf("%d of %d jobs ran", len(runs), n)
	}
	for id, k := range runs {
		if k != 1 {
			t.Errorf("job %d ran %d times", id, k)
		}
	}
}
